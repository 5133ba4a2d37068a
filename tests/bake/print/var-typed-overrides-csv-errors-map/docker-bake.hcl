variable "FOO" { type = map(number) }
target "default" {}
