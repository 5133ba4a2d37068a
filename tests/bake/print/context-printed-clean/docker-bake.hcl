target "a" { context = "./src/www/" }
target "b" { context = BAKE_CMD_CONTEXT }
target "c" { context = "https://github.com/user/proj.git#main" }
target "d" { context = "cwd://sub/../dir" }
