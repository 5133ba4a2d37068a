target "f" {
  args = {
    year   = rfc3339parse("2023-07-25T23:43:16Z").year
    month  = rfc3339parse("2023-07-25T23:43:16Z").month
    hour   = rfc3339parse("2023-07-25T23:43:16Z").hour
    minute = rfc3339parse("2023-07-25T23:43:16Z").minute
  }
}
