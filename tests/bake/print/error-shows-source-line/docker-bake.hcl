target "app" {
  dockerfile = missing_var
}
