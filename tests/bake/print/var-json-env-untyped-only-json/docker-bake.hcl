variable "V" { default = "default" }
target "app" { args = { V = join("+", V) } }
