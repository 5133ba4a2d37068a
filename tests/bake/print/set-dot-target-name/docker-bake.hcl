target "app_v1" { tags = ["v1"] }
