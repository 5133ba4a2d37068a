target "app-web" {}
target "app-api" {}
target "lib" {}
