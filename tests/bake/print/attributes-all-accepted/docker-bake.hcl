target "app" {
  description       = "the app"
  context           = "src"
  contexts          = { base = "docker-image://alpine:3.20" }
  dockerfile        = "app.Dockerfile"
  dockerfile-inline = "FROM scratch\n"
  args              = { A = "1" }
  labels            = { L = "1" }
  annotations       = ["manifest:k=v"]
  tags              = ["me/app:1"]
  platforms         = ["linux/amd64", "linux/arm64"]
  target            = "final"
  cache-from        = ["type=gha"]
  cache-to          = ["type=gha,mode=max"]
  output            = ["type=docker"]
  secret            = ["id=s,src=s.txt"]
  ssh               = ["default"]
  attest            = ["type=sbom"]
  pull              = true
  no-cache          = false
  no-cache-filter   = ["deps"]
  network           = "none"
  shm-size          = "128m"
  ulimits           = ["nofile=1024:2048"]
  extra-hosts       = { "db" = "10.0.0.2" }
  resources         = { memory = "2g" }
  call              = "build"
  entitlements      = ["security.insecure"]
}
