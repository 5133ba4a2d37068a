target "root" {
  context = "root"
  args    = { LEVEL = "root", ROOT = "1" }
}
target "mid" {
  inherits = ["root"]
  args     = { LEVEL = "mid" }
  tags     = ["mid"]
}
target "app" {
  inherits = ["mid"]
  tags     = ["app"]
}
