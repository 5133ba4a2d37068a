target "f" {
  args = {
    all  = jsonencode(unixtimestampparse(1690328596))
    zero = "${unixtimestampparse(0).year}/${unixtimestampparse(0).year_day}"
  }
}
