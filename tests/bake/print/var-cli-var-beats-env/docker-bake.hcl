variable "TAG" { default = "latest" }
target "app" { tags = ["me/app:${TAG}"] }
