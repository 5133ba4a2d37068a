#!/usr/bin/env bash
# Writes a synthetic docker-bake.hcl of N targets to stdout, shaped like a
# large monorepo definition:
#   - 200 variables (every 10th reads two others, so resolution is lazy and
#     chained), 2 user functions;
#   - one 10×10 matrix (100 generated targets and their group);
#   - the other N-100 targets in inherits chains of depth 3 (base → mid →
#     leaf), each with args, labels, tags and platforms built with stdlib
#     functions (format, join, upper, sha1, lower, replace, coalesce, ...);
#   - group "default" listing every target (the matrix through its group),
#     so `bake --print` resolves and prints all N.
#
#   bench/gen_bake.sh 2000 > docker-bake.hcl
set -euo pipefail
n=${1:?usage: gen_bake.sh TARGETS}
(( n >= 103 )) || { echo "gen_bake.sh: need at least 103 targets" >&2; exit 2; }

for ((v = 0; v < 200; v++)); do
  if ((v % 10 == 9)); then
    printf 'variable "V%d" { default = "${V%d}-${V%d}" }\n' "$v" $((v - 1)) $((v - 2))
  else
    printf 'variable "V%d" { default = "value%d" }\n' "$v" "$v"
  fi
done
cat <<'HCL'
variable "REGISTRY" { default = "registry.example.com" }
variable "PLATFORMS" {
  type    = list(string)
  default = ["linux/amd64", "linux/arm64"]
}
function "image" {
  params = [name, version]
  result = "${REGISTRY}/${lower(name)}:${replace(version, "/", "-")}"
}
function "sum" {
  params          = [first]
  variadic_params = rest
  result          = first + length(rest)
}
target "matrix" {
  name   = "mx-${a}-${b}"
  matrix = {
    a = [for i in range(10) : "a${i}"]
    b = [for i in range(10) : "b${i}"]
  }
  args = { A = a, B = upper(b), SUM = sum(1, a, b) }
  tags = [image("mx-${a}", b)]
}
HCL

chains=$(((n - 100) / 3))
extra=$((n - 100 - chains * 3))
leaves=()
for ((c = 0; c < chains; c++)); do
  v=$((c % 200))
  cat <<HCL
target "base$c" {
  context   = "svc/$c"
  platforms = PLATFORMS
  args      = { V = V$v, HASH = substr(sha1("base$c"), 0, 8) }
  labels    = { "org.example.chain" = format("%04d", $c) }
}
target "mid$c" {
  inherits = ["base$c"]
  args     = { MID = join(",", [V$v, "mid"]) }
  cache-from = ["type=registry,ref=\${REGISTRY}/cache:mid$c"]
}
target "leaf$c" {
  inherits = ["mid$c"]
  tags     = [image("leaf$c", "v$c"), image("leaf$c", "latest")]
  args     = { LEAF = coalesce("", "leaf$c"), N = $c * 2 }
}
HCL
  leaves+=("\"base$c\"" "\"mid$c\"" "\"leaf$c\"")
done
for ((e = 0; e < extra; e++)); do
  printf 'target "extra%d" { args = { E = "%d" } }\n' "$e" "$e"
  leaves+=("\"extra$e\"")
done
leaves+=('"matrix"')
printf 'group "default" {\n  targets = [%s]\n}\n' "$(IFS=,; echo "${leaves[*]}")"
