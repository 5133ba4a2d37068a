target "app" {
  no-cache = "yes"
}
