target "a" { output = ["type=image,name=me/a"] }
target "b" { output = ["type=local,dest=out"] }
