variable "N" {
  type    = number
  default = "many"
}
target "app" {}
