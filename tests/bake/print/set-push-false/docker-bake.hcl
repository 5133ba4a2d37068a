target "app" { output = ["type=registry,name=me/a", "type=image,name=me/b,push=true", "type=docker"] }
