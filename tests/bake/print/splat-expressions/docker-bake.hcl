variable "IMAGES" {
  default = [
    { name = "web", tag = "1" },
    { name = "api", tag = "2" },
  ]
}
target "app" {
  tags = IMAGES[*].name
  args = { TAGS = join(",", IMAGES.*.tag) }
}
