target "base" {
  labels = { "org.opencontainers.image.vendor" = "acme", keep = "yes" }
}
target "app" {
  inherits = ["base"]
  labels = { "org.opencontainers.image.title" = "app", keep = null }
}
