REPO = "me/app"
target "app" { tags = ["${REPO}:1"] }
