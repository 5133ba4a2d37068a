variable "ENV" { default = "prod" }
target "app" {
  args = {
    SUM   = "2" + 1
    EQ    = 1 == "1"
    LOGIC = !(true && false) || false
    MOD   = 7 % 3
    COND  = ENV == "prod" ? "optimized" : "debug"
    NEG   = -(3 - 5)
  }
}
