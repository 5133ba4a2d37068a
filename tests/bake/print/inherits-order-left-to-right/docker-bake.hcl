target "b" {
  dockerfile = "b.Dockerfile"
  tags       = ["b"]
  args       = { X = "b", Y = "b" }
}
target "c" {
  dockerfile = "c.Dockerfile"
  args       = { X = "c" }
}
target "d" {
  inherits = ["b", "c"]
  args     = { Z = "d" }
}
