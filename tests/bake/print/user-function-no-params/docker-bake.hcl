function "f" {
  result = "x"
}
target "app" {}
