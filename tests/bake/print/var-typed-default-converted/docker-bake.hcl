variable "PORT" {
  type    = string
  default = 8080
}
target "app" { args = { PORT = "${PORT}", IS_STRING = PORT == "8080" } }
