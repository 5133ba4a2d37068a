target "app" {
  platfroms = ["linux/amd64"]
}
