variable "VERSION" {
  validation {
    condition     = VERSION != ""
    error_message = "VERSION is required."
  }
  validation {
    condition     = can(regex("^[0-9]+\\.[0-9]+$", VERSION))
    error_message = "VERSION must look like 1.2, got ${VERSION}."
  }
}
target "app" {}
