variable "S" { type = string }
variable "L" { type = list(number) }
variable "M" { type = map(number) }
variable "T" { type = tuple([number, string]) }
variable "O" { type = object({messages: list(string)}) }
target "default" {
  args = {
    s = S
    l = join("-", [for v in L: v + 1])
    m = join("-", sort(values(M)))
    t = format("%d %s", T[0], T[1])
    o = join("-", O["messages"])
  }
}
