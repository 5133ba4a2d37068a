target "app" {
  output = [
    "type=image,name=me/app,push=true",
    { type = "tar", dest = "out.tar" },
    "./bin",
  ]
}
