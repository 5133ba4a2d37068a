variable "PORTS" {
  type = list(number)
}
target "app" { args = { P = join(",", PORTS) } }
