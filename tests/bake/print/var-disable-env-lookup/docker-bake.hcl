variable "A" { default = "a-default" }
variable "B" { default = "b-default" }
target "app" { args = { A = A, B = B } }
