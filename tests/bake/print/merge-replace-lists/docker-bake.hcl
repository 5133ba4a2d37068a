target "base" {
  tags      = ["base:1", "base:2"]
  platforms = ["linux/amd64", "linux/arm64"]
  cache-to  = ["type=inline"]
  output    = ["type=docker"]
}
target "app" {
  inherits  = ["base"]
  tags      = ["app:1"]
  platforms = ["linux/riscv64"]
  cache-to  = ["type=local,dest=cache"]
  output    = ["type=tar,dest=out.tar"]
}
