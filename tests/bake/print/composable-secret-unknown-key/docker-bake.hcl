target "app" {
  secret = ["id=a,path=/x"]
}
