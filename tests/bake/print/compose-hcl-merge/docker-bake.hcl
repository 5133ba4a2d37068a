target "app" {
  args = { B = "hcl" }
  tags = ["app:hcl"]
}
target "app-debug" {
  inherits = ["app"]
  target = "debug"
}
group "default" {
  targets = ["app-debug"]
}
