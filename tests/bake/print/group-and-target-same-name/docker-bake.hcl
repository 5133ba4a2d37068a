group "app" { targets = ["app-web"] }
target "app" { tags = ["never"] }
target "app-web" {}
