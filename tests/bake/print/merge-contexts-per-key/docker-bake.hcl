target "base" {
  contexts = { alpine = "docker-image://alpine:3.19", src = "./src", gone = "./gone" }
}
target "app" {
  inherits = ["base"]
  contexts = { alpine = "docker-image://alpine:3.20", gone = "" }
}
