target "base" {
  secret = ["id=aws,src=/a", "id=token,env=TOKEN"]
}
target "app" {
  inherits = ["base"]
  secret   = ["id=aws,src=/a", "id=aws,src=/b"]
}
