target "f" {
  args = {
    ge    = semvercmp("1.2.3", ">= 1.0.0")
    lt    = semvercmp("1.2.3", "< 1.0.0")
    range = semvercmp("1.4.0", ">= 1.2, < 2.0")
    tilde = semvercmp("1.2.9", "~1.2.3")
    caret = semvercmp("2.0.0", "^1.2.3")
  }
}
