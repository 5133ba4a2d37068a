variable "B" { type = bool }
variable "N" { type = number }
variable "Q" { type = string }
variable "L" { type = list(string) }
variable "LN" { type = list(number) }
variable "S" { type = set(number) }
variable "M" { type = map(number) }
variable "T" { type = tuple([number, string]) }
target "default" {
  args = {
    b  = B
    n  = N
    q  = Q
    l  = join("-", L)
    ln = join("-", [for v in LN : v + 1])
    s  = join("-", [for v in sort(S) : v + 1])
    m  = join("-", sort(values(M)))
    t  = format("%d %s", T[0], T[1])
  }
}
