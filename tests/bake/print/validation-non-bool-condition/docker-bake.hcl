variable "X" {
  type = string
  validation {
    condition     = X
    error_message = "unused"
  }
}
target "app" {}
