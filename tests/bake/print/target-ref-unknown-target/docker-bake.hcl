target "app" {
  tags = target.nope.tags
}
