target "app" {
  ssh = ["default", "github=/keys/a,/keys/b", { id = "obj", paths = ["/k"] }]
}
