target "app" {
  name   = "app-${a}"
  matrix = {
    a = ["x", "y"]
    b = ["1", "2"]
  }
}
