target "app" { ulimits = ["nofiles=1024:1024"] }
