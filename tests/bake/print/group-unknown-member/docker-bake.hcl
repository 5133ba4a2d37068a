group "all" { targets = ["ghost"] }
