target "app" { no-cache = false }
