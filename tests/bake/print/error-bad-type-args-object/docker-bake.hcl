target "app" {
  args = { A = { nested = "x" } }
}
