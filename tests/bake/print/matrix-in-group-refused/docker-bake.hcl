target "app" {}
group "all" {
  targets = ["app"]
  matrix  = { v = ["1"] }
}
