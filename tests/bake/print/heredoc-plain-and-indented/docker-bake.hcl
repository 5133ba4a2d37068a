target "app" {
  dockerfile-inline = <<EOT
FROM alpine
  RUN echo hi
EOT
  args = {
    INDENTED = <<-EOT
        line1
          line2
        EOT
  }
}
