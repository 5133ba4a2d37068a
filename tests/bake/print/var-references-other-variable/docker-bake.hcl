variable "IMAGE" { default = "${REGISTRY}/${NAME}" }
variable "REGISTRY" { default = "docker.io" }
variable "NAME" { default = "app" }
target "app" { tags = ["${IMAGE}:latest"] }
