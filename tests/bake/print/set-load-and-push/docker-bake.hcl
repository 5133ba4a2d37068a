target "foo" {
  output = [ "type=local,dest=out" ]
}
target "bar" {
}
target "reg" {
  output = [ "type=registry" ]
}
