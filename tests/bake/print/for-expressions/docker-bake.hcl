variable "VERSIONS" { default = ["1.20", "1.21", "1.22"] }
target "app" {
  tags = [for v in VERSIONS : "me/go:${v}" if v != "1.20"]
  args = { for k, v in { a = 1, b = 2 } : upper(k) => v * 10 }
  labels = {
    GROUPED = jsonencode({ for s in ["ab", "ac", "bd"] : substr(s, 0, 1) => s... })
  }
}
