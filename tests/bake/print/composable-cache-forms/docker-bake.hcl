target "app" {
  cache-from = ["user/app:cache", { type = "gha", scope = "main" }]
  cache-to   = ["type=registry,ref=user/app:cache,MODE=max"]
}
