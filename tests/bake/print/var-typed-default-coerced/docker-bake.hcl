variable "N" {
  type = number
  default = "99"
}
variable "B" {
  type = bool
  default = "true"
}
variable "L" {
  type = list(number)
  default = ["2","3"]
}
target "default" {
  args = {
    n = N + 1
    b = and(B, true)
    l = join("", [for v in L: v + 1])
  }
}
