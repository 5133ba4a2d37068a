target "base" {
  extra-hosts = { "db" = "10.0.0.1", "cache" = "10.0.0.2" }
}
target "app" {
  inherits = ["base"]
  extra-hosts = { "db" = "10.0.0.9" }
}
