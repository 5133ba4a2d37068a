target "base" {
  name   = "base-${v}"
  matrix = { v = ["x", "y"] }
  args   = { V = v }
}
target "child" {
  inherits = ["base-y"]
  tags     = ["child"]
}
