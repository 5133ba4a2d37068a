variable "FOO_JSON" {
  type = list(number)
}
variable "BAR" {
  type = list(number)
}
variable "foo" {
  type = number
  default = 101
}
target "default" {
  args = {
    a = length(FOO_JSON)
    b = length(BAR)
    c = foo
  }
}
