variable "L" {
  type = list(string)
}
target "app" { tags = L }
