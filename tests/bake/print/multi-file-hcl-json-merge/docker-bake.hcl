group "default" { targets = ["app"] }
target "app" {
  dockerfile = "hcl.Dockerfile"
  tags       = ["hcl"]
}
