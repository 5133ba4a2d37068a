target "base" {}
target "mid" { contexts = { base = "target:base" } }
target "app" { contexts = { mid = "target:mid" } }
