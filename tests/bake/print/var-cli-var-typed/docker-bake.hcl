variable "TAGS" { type = list(string) }
variable "N" { default = 1 }
target "app" {
  tags = TAGS
  args = { N = N + 1 }
}
