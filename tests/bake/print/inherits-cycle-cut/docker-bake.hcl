target "a" {
  inherits = ["b"]
  tags     = ["a"]
}
target "b" {
  inherits = ["a"]
  args     = { FROM_B = "1" }
}
