variable "V" { default = "default" }
target "app" { args = { V = V } }
