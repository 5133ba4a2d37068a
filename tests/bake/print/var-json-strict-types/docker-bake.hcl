variable "FOO" { type = tuple([number, string]) }
target "default" {}
