variable "A" { default = "${B}" }
variable "B" { default = "${A}" }
target "app" { tags = [A] }
