target "default" {
  dockerfile-inline = "FROM ${BASE_IMAGE}"
}
