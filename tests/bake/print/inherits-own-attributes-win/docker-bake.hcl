target "p1" {
  target = "p1"
}
target "p2" {
  target = "p2"
}
target "app" {
  target   = "own"
  inherits = ["p1", "p2"]
}
