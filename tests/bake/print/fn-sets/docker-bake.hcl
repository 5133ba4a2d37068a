target "f" {
  args = {
    sethaselement          = sethaselement([1, 2, 3], 2)
    setintersection        = jsonencode(setintersection(["a", "b", "c"], ["b", "c", "d"]))
    setproduct             = jsonencode(setproduct(["x", "y"], [1, 2]))
    setsubtract            = jsonencode(setsubtract([1, 2, 3], [2]))
    setsymmetricdifference = jsonencode(setsymmetricdifference([1, 2, 3], [3, 4]))
    setunion               = jsonencode(setunion(["a", "b"], ["b", "c"]))
  }
}
