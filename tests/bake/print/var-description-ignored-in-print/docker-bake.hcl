variable "TAG" {
  description = "the image tag"
  default     = "1"
}
target "app" { tags = ["me/app:${TAG}"] }
