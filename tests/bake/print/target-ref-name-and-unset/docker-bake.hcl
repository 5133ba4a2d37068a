target "foo" {
  dockerfile = target.foo.name
}
target "bar" {
  # dockerfile = Dockerfile
  context = target.bar.dockerfile
  target = target.bar.context
}
