target "app" { call = "build" }
