target "app" {
  name   = "app-${item.name}"
  matrix = {
    item = [
      { name = "go", version = "1.22" },
      { name = "node", version = "20" },
    ]
  }
  args = { VERSION = item.version }
}
