target "f" {
  args = {
    byteslen   = byteslen("Docker")
    bytesslice = bytesslice("Docker", 0, 3)
    can        = "${can(parseint("123", 10))}/${can(parseint("x", 10))}"
    convert    = convert("42", number) + 1
    try1       = try(parseint("zz", 16), parseint("ff", 16))
    try2       = try(index({a = "apple"}, "b"), "fallback")
  }
}
