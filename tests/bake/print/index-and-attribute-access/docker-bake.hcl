variable "CFG" {
  default = { name = "web", ports = [80, 443], meta = { "k-1" = "v" } }
}
target "app" {
  args = {
    NAME  = CFG.name
    P0    = CFG.ports[0]
    P1    = CFG.ports.1
    QUOTE = CFG.meta["k-1"]
  }
}
