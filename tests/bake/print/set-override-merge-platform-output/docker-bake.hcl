target "app" {
  platforms = ["linux/amd64"]
  output = ["foo"]
}
