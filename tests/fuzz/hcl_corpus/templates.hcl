a = <<-EOT
  %{ for x in v ~}
  item ${x}
  %{ endfor ~}
  %{if length(v) > 1}many%{else}few%{endif}
  EOT
b = "$${escaped} %%{also} ${v[*]} ${try(v.nope, "x")}"
c = v.*.foo
d = (1 + 2) * -3 % 4 == 1 ? [1, 2][0] : { x = 1 }.x
e = format("%05.2f|%-4s|%q", 3.14159, "ab", "q")
