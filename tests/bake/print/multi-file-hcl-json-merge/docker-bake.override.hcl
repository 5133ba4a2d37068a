target "app" {
  tags = ["override"]
  args = { FROM_OVERRIDE = "1" }
}
