target "app" {
  tags = "me/app:1"
}
