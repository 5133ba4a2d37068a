target "app" {
  tags = ["me/app:${TAG"]
}
