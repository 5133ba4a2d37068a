target "app" {
  annotations  = ["a=1"]
  entitlements = ["network.host"]
}
