variable "X" { default = "x-default" }
variable "X_JSON" { default = "" }
target "app" { args = { X = X, X_JSON = X_JSON } }
