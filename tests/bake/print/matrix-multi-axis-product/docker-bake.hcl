target "app" {
  name   = "app-${os}-${v}"
  matrix = {
    os = ["alpine", "debian"]
    v  = ["1", "2"]
  }
  args = { OS = os, V = v }
}
