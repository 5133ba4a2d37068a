target "app" {
  shm-size = 64
  args     = { INT = 3, FLOAT = 1.5, BIG = 1e3, BOOL = true }
  tags     = [1, "two"]
}
