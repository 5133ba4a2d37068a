variable "FOO" { type = number }
target "default" {}
