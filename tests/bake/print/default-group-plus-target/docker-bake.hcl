group "default" {
  targets = ["app", "multiarch"]
}
target "app" {
  dockerfile = "app.Dockerfile"
}
target "foo" {
  dockerfile = "foo.Dockerfile"
}
target "multiarch" {
  dockerfile = "Dockerfile"
  platforms = ["linux/amd64","linux/arm64","linux/arm/v7","linux/arm/v6"]
}
