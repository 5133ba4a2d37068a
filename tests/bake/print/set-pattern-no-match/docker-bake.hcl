target "app" {
  tags      = ["me/app:1"]
  platforms = ["linux/amd64"]
  args      = { A = "file" }
}
target "other" {
  tags = ["me/other:1"]
}
