target "app" {
  output = ["type=docker", "type=tar,dest=a.tar", "type=docker", "type=oci,dest=b.tar"]
}
