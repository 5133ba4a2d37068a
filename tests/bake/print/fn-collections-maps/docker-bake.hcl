target "f" {
  args = {
    hasindex = "${hasindex([10, 20, 30], 1)}/${hasindex([10, 20, 30], 5)}"
    index    = index({foo = "bar", baz = "qux"}, "baz")
    keys     = jsonencode(keys({foo = 1, bar = 2, baz = 3}))
    lookup   = "${lookup({a = "apple", b = "banana"}, "a", "none")}/${lookup({a = "apple", b = "banana"}, "c", "none")}"
    merge    = jsonencode(merge({a = 1, b = 2}, {b = 3, c = 4}))
    values   = jsonencode(values({a = 1, c = 3, b = 2}))
    zipmap   = jsonencode(zipmap(["name", "stars"], ["Docker", 5]))
  }
}
