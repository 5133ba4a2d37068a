target "f" {
  args = {
    cidrhost    = cidrhost("10.0.0.0/16", 5)
    cidrnetmask = cidrnetmask("10.0.0.0/16")
    cidrsubnet  = cidrsubnet("10.0.0.0/16", 4, 2)
    cidrsubnets = join(",", cidrsubnets("10.0.0.0/16", 4, 4))
    v6          = cidrsubnet("fd00:fd12:3456:7890::/56", 16, 162)
  }
}
