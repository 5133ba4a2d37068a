target "base" {
  annotations     = ["index:org.opencontainers.image.vendor=acme"]
  no-cache-filter = ["deps"]
  ulimits         = ["nofile=1024:1024"]
  entitlements    = ["network.host"]
}
target "app" {
  inherits        = ["base"]
  annotations     = ["manifest:org.opencontainers.image.title=app", "index:org.opencontainers.image.vendor=acme"]
  no-cache-filter = ["build"]
  ulimits         = ["nproc=512"]
  entitlements    = ["security.insecure"]
}
