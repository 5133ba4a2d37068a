variable "TAG" {
  default = "latest"
}
target "app" {
  context = "."
  tags = ["repo/app:${TAG}", lower("X")]
  args = { for k, v in { a = 1, b = 2 } : k => "${v}" if v > 1 }
  platforms = [for p in ["amd64", "arm64"] : "linux/${p}"]
}
