variable "PLATFORMS" {
  type    = list(string)
  default = ["linux/amd64"]
}
target "app" { platforms = PLATFORMS }
