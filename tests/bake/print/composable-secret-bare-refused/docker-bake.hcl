target "app" {
  secret = ["aws"]
}
