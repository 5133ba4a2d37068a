target "f" {
  args = {
    found   = indexof(["one", 2, 3, "four"], "four")
    missing = indexof(["one", 2, 3, "four"], "3")
  }
}
