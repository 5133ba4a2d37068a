target "base" {
  args = { A = "base", B = "base" }
  tags = ["base"]
}
target "app" {
  inherits = ["base"]
  tags     = ["app"]
}
