target "bar" {
  target = "z"
}
