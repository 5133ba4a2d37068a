target "f" {
  args = {
    basename   = basename("/usr/local/bin/docker")
    basename2  = "${basename("a/b/")}|${basename("")}|${basename("/")}"
    dirname    = dirname("/usr/local/bin/docker")
    dirname2   = "${dirname("file")}|${dirname("/a")}|${dirname("a/b/")}"
    sanitize   = sanitize("My App! v1.0")
    homedir    = homedir() != ""
  }
}
