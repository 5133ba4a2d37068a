variable "FOO" {
  default = null
}
variable "BAR" {
  default = null
}
target "default" {
  args = {
    foo = FOO
    bar = "baz"
  }
  labels = {
    "com.docker.app.bar" = BAR
    "com.docker.app.baz" = "foo"
  }
}
