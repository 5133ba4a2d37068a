target "foo" {
  context = "y"
}
