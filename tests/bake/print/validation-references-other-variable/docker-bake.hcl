variable "MIN" { default = 0 }
variable "VALUE" {
  default = 1
  validation {
    condition     = VALUE >= MIN
    error_message = "VALUE (${VALUE}) must be at least MIN (${MIN})."
  }
}
target "app" {}
