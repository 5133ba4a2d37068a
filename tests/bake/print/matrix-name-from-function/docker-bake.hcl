target "app" {
  name   = "app-${sanitize(v)}"
  matrix = { v = ["1.20", "1.21"] }
  args   = { GO = v }
}
