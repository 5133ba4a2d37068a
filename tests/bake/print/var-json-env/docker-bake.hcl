variable "LABELS" {
  type    = map(string)
  default = {}
}
target "app" { labels = LABELS }
