target "base" {
  resources = { memory = "1g", cpu-shares = "512" }
}
target "app" {
  inherits  = ["base"]
  resources = { memory = "2g" }
}
