target "f" {
  args = {
    absolute = absolute(-42)
    add      = add(123, 1)
    ceil     = ceil(3.14)
    floor    = floor(3.99)
    divide   = divide(10, 2)
    int      = int(3.75)
    log      = log(100, 10)
    max      = max(3, 9, 7)
    min      = min(3, 9, 7)
    modulo   = modulo(10, 3)
    multiply = multiply(6, 7)
    negate   = negate(7)
    pow      = pow(3, 2)
    signum   = "${signum(0)},${signum(12)},${signum(-12)}"
    subtract = subtract(10, 3)
    parseint = parseint("ff", 16)
  }
}
