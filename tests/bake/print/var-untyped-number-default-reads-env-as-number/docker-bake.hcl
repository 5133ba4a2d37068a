variable "REPLICAS" { default = 1 }
target "app" { args = { NEXT = REPLICAS + 1 } }
