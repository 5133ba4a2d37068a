target "default" { platforms = ["linux/amd64"] }
target "multiarch" { platforms = ["linux/amd64", "linux/arm64"] }
