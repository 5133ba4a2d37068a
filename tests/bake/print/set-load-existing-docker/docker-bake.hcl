target "a" { output = ["type=docker"] }
target "b" { output = ["type=docker,dest=out.tar", "type=oci,dest=oci.tar"] }
