target "app" {
  name = "other"
}
