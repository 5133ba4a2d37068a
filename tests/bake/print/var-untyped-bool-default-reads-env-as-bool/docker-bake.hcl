variable "DEBUG" { default = true }
target "app" { args = { MODE = DEBUG ? "debug" : "release" } }
