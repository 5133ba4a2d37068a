variable "FOO" {
  default = 3
}
target "app" {
  args = { v1 = FOO }
}
