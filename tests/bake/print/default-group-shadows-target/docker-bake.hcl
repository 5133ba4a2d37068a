group "default" { targets = ["a"] }
target "default" { tags = ["ignored"] }
target "a" {}
