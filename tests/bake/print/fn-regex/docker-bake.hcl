target "f" {
  args = {
    regex         = regex("h.llo", "hello")
    regex_replace = regex_replace("abc123xyz", "[0-9]+", "NUM")
    doc_order     = regex_replace("[0-9]+", "abc123xyz", "NUM")
    regexall      = jsonencode(regexall("[a-z]+", "abc123xyz"))
    groups        = jsonencode(regex("(\\d+)-(\\d+)", "v12-34"))
    named         = jsonencode(regex("(?P<major>\\d+)\\.(?P<minor>\\d+)", "1.22"))
  }
}
