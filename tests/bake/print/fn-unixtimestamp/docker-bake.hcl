target "f" {
  args = {
    year    = unixtimestampparse(1690328596).year
    month   = unixtimestampparse(1690328596).month
    day     = unixtimestampparse(1690328596).day
    rfc3339 = unixtimestampparse(1690328596).rfc3339
    fmt     = formattimestamp("YYYY-MM-DD", 1690328596)
  }
}
