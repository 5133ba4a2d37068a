target "app" {
  args = {
    E = "a\tb\"c\\d\u00e9"
  }
}
