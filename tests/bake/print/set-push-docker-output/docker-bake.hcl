target "a" { output = ["type=docker"] }
target "b" { output = ["type=registry,name=me/b"] }
