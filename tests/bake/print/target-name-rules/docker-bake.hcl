target "_a" {}
target "a_b" {}
target "AbC" {}
target "AbC-0123" {}
