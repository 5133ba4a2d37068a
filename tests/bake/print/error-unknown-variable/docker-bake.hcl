target "app" {
  tags = ["me/app:${TAGG}"]
}
