function "loop" {
  params = [x]
  result = loop(x)
}
target "app" { tags = [loop("a")] }
