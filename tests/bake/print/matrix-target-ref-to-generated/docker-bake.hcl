target "base" {
  name   = "base-${v}"
  matrix = { v = ["x", "y"] }
  tags   = ["base:${v}"]
}
target "app" {
  tags = concat(target.base-y.tags, ["app"])
}
