function "f" {
  params = []
}
target "app" {}
