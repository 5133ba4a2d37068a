target "f" {
  args = {
    md5    = md5("docker")
    sha1   = sha1("hello")
    sha256 = sha256("hello")
    sha512 = sha512("hello")
    bcrypt = "${substr(bcrypt("mypassword"), 0, 7)}:${length(bcrypt("mypassword"))}"
  }
}
