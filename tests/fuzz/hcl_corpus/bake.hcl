variable "TAG" {
  type = string
  default = "1.0"
  validation {
    condition = TAG != ""
    error_message = "empty"
  }
}
function "t" {
  params = [n]
  variadic_params = rest
  result = "${n}:${TAG}${join("", rest)}"
}
VERSION = "x"
group "default" { targets = ["app", "m"] }
target "base" {
  args = { A = "1", B = null }
  tags = [t("base")]
}
target "app" {
  inherits = ["base"]
  tags = concat(target.base.tags, [t("app", "-", VERSION)])
  output = ["type=tar,dest=a.tar"]
  secret = ["id=s,src=f"]
}
target "m" {
  name = "m-${v}"
  matrix = { v = ["a", "b"] }
  target = v
}
