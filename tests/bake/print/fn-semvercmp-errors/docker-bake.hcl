target "f" {
  args = {
    ok  = semvercmp("3.22", ">= 3.20")
    bad = semvercmp("not-a-version", ">= 1.0.0")
  }
}
