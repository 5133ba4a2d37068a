variable "BAKE_CMD_CONTEXT" { default = "user-default" }
target "app" {
  args = {
    CTX      = BAKE_CMD_CONTEXT
    PLATFORM = can(regex("^linux/[a-z0-9]+", BAKE_LOCAL_PLATFORM))
  }
}
