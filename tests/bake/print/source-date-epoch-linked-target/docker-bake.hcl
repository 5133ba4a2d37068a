target "base" {}
target "app" { contexts = { base = "target:base" } }
