variable "SUFFIX" {}
target "app" {
  tags = ["me/app${SUFFIX}"]
  args = { EMPTY = "[${SUFFIX}]" }
}
