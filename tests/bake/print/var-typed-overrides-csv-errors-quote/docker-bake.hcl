variable "FOO" { type = list(string) }
target "default" {}
