target "base" {
  args = { A = "base-a", B = "base-b", C = "base-c" }
}
target "app" {
  inherits = ["base"]
  args = { B = "app-b", C = null, D = "app-d" }
}
