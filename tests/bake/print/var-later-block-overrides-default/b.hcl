variable "TAG" { default = "from-b" }
