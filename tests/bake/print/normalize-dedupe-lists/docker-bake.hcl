target "app" {
  tags            = ["a", "b", "a", ""]
  platforms       = ["linux/amd64", "linux/amd64"]
  no-cache-filter = ["x", "x"]
}
