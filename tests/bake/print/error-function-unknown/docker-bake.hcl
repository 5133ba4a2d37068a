target "app" {
  tags = [nosuchfn("x")]
}
