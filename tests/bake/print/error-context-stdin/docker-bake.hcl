target "app" { context = "-" }
