variable "REPO" { default = "me" }
function "tag" {
  params = [name, version]
  result = "${REPO}/${name}:${version}"
}
function "tags" {
  params          = [name]
  variadic_params = versions
  result          = [for v in versions : tag(name, v)]
}
target "app" {
  tags = tags("app", "1", "latest")
}
