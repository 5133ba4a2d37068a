# hash comment
// slash comment
target "app" {
  /* block
     comment */
  tags = ["t"] # trailing
}
