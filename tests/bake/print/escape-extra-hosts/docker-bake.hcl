target "app" {
  extra-hosts = { "h" = "$${IP}" }
}
