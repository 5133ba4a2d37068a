variable "TAG" { default = "from-a" }
target "app" { tags = ["me/app:${TAG}"] }
