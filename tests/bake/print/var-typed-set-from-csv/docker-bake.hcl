variable "S" { type = set(string) }
target "app" { args = { N = length(S), HAS_A = contains(S, "a") } }
