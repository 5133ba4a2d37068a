target "app" {
  args              = { A = "$${HOME}", P = "%%{if}" , PLAIN = "$HOME" }
  labels            = { l = "$${x}" }
  annotations       = ["a=$${y}"]
  dockerfile-inline = "FROM alpine\nRUN echo $${HOME}\n"
  tags              = ["t$${z}"]
}
