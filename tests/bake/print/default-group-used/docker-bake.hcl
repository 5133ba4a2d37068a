group "default" { targets = ["web", "api"] }
target "web" {}
target "api" {}
target "unused" {}
