target "app" {
  tags = ["a"]
