target "f" {
  args = {
    chomp      = chomp("Hello\n\n")
    lower      = lower("HELLO")
    upper      = upper("hello")
    trim       = trim("--hello--", "-")
    trimprefix = trimprefix("docker-build", "docker-")
    trimspace  = trimspace("   hello   ")
    trimsuffix = trimsuffix("filename.txt", ".txt")
    reverse    = reverse("stressed")
    strlen     = strlen("Docker")
    substr     = substr("abcdef", 2, 3)
    format     = format("Hello, %s!", "World")
    title      = title("hello world-from_docker")
  }
}
