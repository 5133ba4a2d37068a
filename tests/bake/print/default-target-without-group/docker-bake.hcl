target "default" { tags = ["d"] }
target "other" {}
