target "f" {
  args = {
    chunklist    = jsonencode(chunklist([1, 2, 3, 4, 5], 2))
    coalescelist = jsonencode(coalescelist([], [1, 2], [3]))
    compact      = jsonencode(compact(["a", "", "b", ""]))
    concat       = jsonencode(concat([1, 2], [3, 4]))
    contains     = contains([1, 2, 3], 2)
    distinct     = jsonencode(distinct([1, 2, 2, 3, 3, 3]))
    element      = element(["a", "b", "c"], 1)
    element_wrap = element(["a", "b", "c"], 4)
    flatten      = jsonencode(flatten([[1, 2], [3, 4], [5]]))
    length       = length([1, 2, 3, 4])
    range        = jsonencode(range(0, 5))
    reverselist  = jsonencode(reverselist([1, 2, 3]))
    slice        = jsonencode(slice(["a", "b", "c", "d"], 1, 3))
    sort         = jsonencode(sort(["b", "c", "a"]))
    indexof      = indexof(["a", "b", "c"], "b")
    coalesce     = coalesce(null, "", "docker")
  }
}
