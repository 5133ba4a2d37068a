target "app" {
  dockerfile = "first.Dockerfile"
  args       = { A = "1" }
}
target "app" {
  dockerfile = "second.Dockerfile"
  args       = { B = "2" }
}
