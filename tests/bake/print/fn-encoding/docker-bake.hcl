target "f" {
  args = {
    base64decode = base64decode("SGVsbG8=")
    base64encode = base64encode("Hello")
    urlencode    = urlencode("a b=c&d")
    jsonencode   = jsonencode({name = "Docker", stars = 5})
    jsondecode   = jsondecode("{\"name\":\"Docker\",\"stars\":5}").stars
    csvdecode    = jsonencode(csvdecode("name,age\nAlice,30\nBob,40"))
  }
}
