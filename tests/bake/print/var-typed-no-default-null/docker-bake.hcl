variable "TYPED" { type = string }
variable "UNTYPED" {}
target "app" {
  args = {
    TYPED_NULL   = TYPED == null
    UNTYPED_NULL = UNTYPED == null
    FALLBACK     = coalesce(TYPED, "fallback")
  }
}
