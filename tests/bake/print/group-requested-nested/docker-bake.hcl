group "all" {
  targets     = ["web", "backend"]
  description = "everything"
}
group "backend" { targets = ["api", "worker"] }
target "web" {}
target "api" {}
target "worker" {}
