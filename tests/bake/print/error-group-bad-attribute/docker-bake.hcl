group "all" {
  targets = []
  tags    = ["x"]
}
