target "a/b" {}
