variable "PORT" {
  type = number
  validation {
    condition     = PORT > 1024
    error_message = "PORT must be above 1024."
  }
}
target "app" { args = { PORT = PORT } }
