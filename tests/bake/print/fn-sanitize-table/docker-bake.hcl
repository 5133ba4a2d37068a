target "f" {
  args = {
    a = sanitize("foo/bar.")
    b = sanitize("foo/bar..")
    c = sanitize("foo/🍕bar")
    d = sanitize("foo/bar!@(ba+z)")
    e = sanitize("foobar")
  }
}
