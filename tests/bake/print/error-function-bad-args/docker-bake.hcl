target "app" {
  args = { A = upper() }
}
