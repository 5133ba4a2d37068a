target "a" {}
target "b" { output = ["type=local,dest=out"] }
