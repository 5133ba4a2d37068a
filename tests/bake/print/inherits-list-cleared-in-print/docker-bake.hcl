target "_common" {
  labels = { "org.opencontainers.image.source" = "https://github.com/acme/app" }
}
target "app" {
  inherits = ["_common"]
}
