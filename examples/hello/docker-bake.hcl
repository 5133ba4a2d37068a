# docker-xbuild's main job in miniature (README command 1): three targets,
# two platforms, a shared base built once, `target:` links, and an OCI
# layout as the result. Nothing comes from the internet: the base image is
# made here from Debian's busybox-static (examples/run.sh fetches it).
variable "TAG" {
  default = "dev"
}

group "default" {
  targets = ["app", "notes"]
}

# The base image: busybox for amd64 and arm64. Its RUN step executes the
# arm64 binary under QEMU.
target "base" {
  context   = "base"
  platforms = ["linux/amd64", "linux/arm64"]
}

target "app" {
  context   = "app"
  contexts  = { base = "target:base" }
  platforms = ["linux/amd64", "linux/arm64"]
  tags      = ["xbuild-example/hello:${TAG}"]
  args = {
    GREETING = "hello"
  }
  output = ["type=oci,dest=../out/hello-oci.tar"]
}

# Shares the base and the `notes` stage with "app": both are built once.
target "notes" {
  context   = "app"
  target    = "notes"
  contexts  = { base = "target:base" }
  platforms = ["linux/amd64", "linux/arm64"]
  output    = ["type=local,dest=../out/notes"]
}
