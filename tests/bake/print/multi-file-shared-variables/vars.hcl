variable "VERSION" { default = "1" }
function "image" {
  params = [n]
  result = "me/${n}:${VERSION}"
}
