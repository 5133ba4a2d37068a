variable "FLAVOR" { default = "slim" }
target "base-slim" { args = { FLAVOR = "slim" } }
target "base-full" { args = { FLAVOR = "full" } }
target "app" {
  inherits = ["base-${FLAVOR}"]
}
