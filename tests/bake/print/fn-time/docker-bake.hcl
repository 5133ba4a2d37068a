target "f" {
  args = {
    formatdate = formatdate("YYYY-MM-DD", "2025-09-16T12:00:00Z")
    long       = formatdate("EEEE, DD-MMM-YY hh:mm:ss ZZZ", "2018-01-02T23:12:01Z")
    timeadd    = timeadd("2025-09-24T12:00:00Z", "1h30m")
    timestamp  = "${length(timestamp())}:${substr(timestamp(), 19, 1)}:${can(formatdate("YYYY", timestamp()))}"
  }
}
