target "app" {
  tags = ["a"] @
}
