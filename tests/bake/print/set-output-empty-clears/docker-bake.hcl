target "app" { output = ["./bin"] }
