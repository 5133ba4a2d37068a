target "app" { contexts = { me = "target:app" } }
