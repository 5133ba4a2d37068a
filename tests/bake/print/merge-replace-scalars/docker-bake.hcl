target "base" {
  context     = "base-ctx"
  dockerfile  = "base.Dockerfile"
  target      = "base-stage"
  network     = "none"
  shm-size    = "64m"
  description = "base description"
  pull        = false
  no-cache    = false
  call        = "build"
}
target "app" {
  inherits    = ["base"]
  context     = "app-ctx"
  target      = "app-stage"
  network     = "host"
  shm-size    = "128m"
  description = "app description"
  pull        = true
  no-cache    = true
  call        = "check"
}
