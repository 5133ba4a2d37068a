target "f" {
  args = {
    join       = join(",", ["a", "b", "c"])
    split      = join("|", split(",", "a,b,c"))
    replace    = replace("banana", "na", "--")
    indent     = indent(4, "Hello\nWorld")
    formatlist = join(";", formatlist("Hi %s", ["Alice", "Bob"]))
  }
}
