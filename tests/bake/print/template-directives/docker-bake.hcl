variable "DEBUG" { default = false }
variable "ITEMS" { default = ["a", "b", "c"] }
target "app" {
  args = {
    IF   = "%{if DEBUG}debug%{else}release%{endif}"
    FOR  = "%{for i, x in ITEMS}${i}=${x};%{endfor}"
    TRIM = <<-EOT
      %{~ for x in ITEMS ~}
      [${x}]
      %{~ endfor ~}
    EOT
  }
}
