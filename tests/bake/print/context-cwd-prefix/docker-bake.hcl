target "app" {
  context = "cwd://foo"
  dockerfile = "test"
}
target "web" {
  context = "."
  dockerfile = "cwd://Dockerfile.app"
}
