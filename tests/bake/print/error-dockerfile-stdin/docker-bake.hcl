target "app" { dockerfile = "-" }
