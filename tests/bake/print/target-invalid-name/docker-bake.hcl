target "app.v1" {}
