target "a" { args = { V = "a" } }
target "b" { args = { V = "${target.a.args.V}b" } }
target "c" { args = { V = "${target.b.args.V}c" } }
