target "base" {
  cache-from = ["user/app:cache", "type=local,src=cache"]
}
target "app" {
  inherits   = ["base"]
  cache-from = ["type=registry,ref=user/app:cache", "type=gha"]
}
