target "app" {
  attest = ["mode=max"]
}
