target "app" { contexts = { bar = "target:bar" } }
