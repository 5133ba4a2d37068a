variable "DF" {
  type    = string
  default = null
}
target "app" {
  dockerfile = DF
  tags       = null
  args       = { A = null, B = "b" }
}
