variable "N" {
  type = number
}
variable "ON" {
  type    = bool
  default = false
}
target "app" { args = { N2 = N * 2, ON = ON ? "on" : "off" } }
