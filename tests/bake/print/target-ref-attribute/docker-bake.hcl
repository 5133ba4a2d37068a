target "base" {
  context = "src"
  tags    = ["me/base:1"]
}
target "app" {
  context = target.base.context
  tags    = concat(target.base.tags, ["me/app:1"])
}
