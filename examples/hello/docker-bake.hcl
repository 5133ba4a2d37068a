# `docker xbuild bake` in examples/hello: two targets, two platforms.
variable "TAG" {
  default = "dev"
}

group "default" {
  targets = ["app", "notes"]
}

target "app" {
  context    = "."
  dockerfile = "Dockerfile"
  platforms  = ["linux/amd64", "linux/arm64"]
  tags       = ["xbuild-example/hello:${TAG}"]
  args = {
    GREETING = "hello"
  }
  output = ["type=oci,dest=../out/hello-oci.tar"]
}

target "notes" {
  context = "."
  target  = "notes"
  output  = ["type=local,dest=../out/notes"]
}
