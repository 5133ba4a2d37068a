target "f" {
  args = {
    and     = and(true, false)
    or      = or(true, false)
    not     = not(true)
    equal   = equal(2, 2)
    notequal = notequal(4, 5)
    gt      = "${greaterthan(2, 5)}/${greaterthan(5, 2)}"
    gte     = greaterthanorequalto(5, 5)
    lt      = lessthan(10, 3)
    lte     = lessthanorequalto(5, 7)
  }
}
