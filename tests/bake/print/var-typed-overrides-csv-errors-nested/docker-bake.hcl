variable "FOO" { type = list(list(number)) }
target "default" {}
