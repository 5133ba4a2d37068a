target "app" {
  name   = "app-${v}"
  matrix = { v = ["a", "b"] }
  tags   = ["${v}:1"]
}
