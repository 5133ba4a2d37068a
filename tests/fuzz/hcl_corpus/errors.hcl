target "x" {
  a = [1, 2,
  b = "${unterminated
  /* comment
