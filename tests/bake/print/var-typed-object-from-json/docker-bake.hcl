variable "CFG" {
  type = object({ name = string, replicas = number })
  default = { name = "x", replicas = 1 }
}
target "app" {
  args = { NAME = CFG.name, NEXT = CFG.replicas + 1 }
}
