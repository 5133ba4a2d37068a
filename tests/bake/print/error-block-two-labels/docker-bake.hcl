target "app" "extra" {}
