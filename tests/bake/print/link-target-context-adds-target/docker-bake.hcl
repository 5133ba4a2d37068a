target "base" {
  dockerfile = "base.Dockerfile"
}
target "app" {
  contexts = { base = "target:base" }
}
