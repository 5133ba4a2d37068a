target "base" {
  ssh = ["default", "github=/keys/old"]
}
target "app" {
  inherits = ["base"]
  ssh      = ["github=/keys/new"]
}
