#!/usr/bin/env bash
# The bake --print conformance suite: every directory under tests/bake/print/
# is one case (see tests/bake/README.md for the format). The case's files are
# copied to a private temp dir, `docker-xbuild bake --print [args]` runs there
# under `env -i` with only PATH, HOME, DOCKER_CONFIG and the case's env lines,
# and the result is compared with expected.json (as JSON, after `jq -S .`) or
# expected-error (every non-empty line a substring of stderr).
#
#   tests/bake/print_suite.sh BINARY [FILTER]   # FILTER: substring of a slug
set -u

bin=${1:?usage: print_suite.sh DOCKER_XBUILD_BINARY [CASE_FILTER]}
filter=${2:-}
here=$(cd "$(dirname "$0")" && pwd)
cases=$here/print
command -v jq >/dev/null || { echo "print_suite: jq is required (apt-get install jq)" >&2; exit 2; }
[ -x "$bin" ] || { echo "print_suite: $bin is not executable" >&2; exit 2; }
bin=$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")

tmp=$(mktemp -d "${TMPDIR:-/tmp}/bake-print.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

pass=0 failed=()

run_case() { # slug
  local slug=$1 dir=$cases/$1 work=$tmp/$1 args=() envs=() want_rc=0 line
  [ -f "$dir/case" ] || { echo "FAIL $slug: no case file"; return 1; }
  grep -q '^#' "$dir/case" || { echo "FAIL $slug: case file cites no rule (# line)"; return 1; }
  while IFS= read -r line || [ -n "$line" ]; do
    case $line in
      args:*) read -r -a args <<<"${line#args:}" ;;
      env:*) line=${line#env:}; envs+=("${line# }") ;;
      exit:*) want_rc=${line#exit:}; want_rc=${want_rc// /} ;;
    esac
  done <"$dir/case"
  mkdir -p "$work/home"
  (cd "$dir" && tar cf - --exclude=./case --exclude=./expected.json --exclude=./expected-error .) |
    (cd "$work" && tar xf -)
  local rc=0
  (cd "$work" && env -i PATH="$PATH" HOME="$work/home" DOCKER_CONFIG="$work/home" "${envs[@]}" \
    "$bin" bake --print "${args[@]}" >"$tmp/$slug.out" 2>"$tmp/$slug.err") || rc=$?
  local problems=""
  [ "$rc" = "$want_rc" ] || problems+="exit code $rc, want $want_rc"$'\n'
  if [ -f "$dir/expected.json" ]; then
    if ! jq -S . "$tmp/$slug.out" >"$tmp/$slug.got" 2>/dev/null; then
      problems+="stdout is not JSON"$'\n'
    elif ! diff -u <(jq -S . "$dir/expected.json") "$tmp/$slug.got" >"$tmp/$slug.diff"; then
      problems+=$(tail -n +3 "$tmp/$slug.diff")$'\n'
    fi
  elif [ -f "$dir/expected-error" ]; then
    while IFS= read -r line || [ -n "$line" ]; do
      [ -z "$line" ] && continue
      grep -qF -- "$line" "$tmp/$slug.err" || problems+="stderr lacks: $line"$'\n'
    done <"$dir/expected-error"
  else
    problems+="no expected.json or expected-error"$'\n'
  fi
  if [ -n "$problems" ]; then
    echo "FAIL $slug"
    printf '%s' "$problems" | sed 's/^/    /'
    if [ -s "$tmp/$slug.err" ]; then
      echo "    stderr:"
      sed 's/^/      /' "$tmp/$slug.err" | head -20
    fi
    return 1
  fi
  echo "ok   $slug"
}

for dir in "$cases"/*/; do
  slug=$(basename "$dir")
  [ -n "$filter" ] && [[ $slug != *"$filter"* ]] && continue
  if run_case "$slug"; then pass=$((pass + 1)); else failed+=("$slug"); fi
done

total=$((pass + ${#failed[@]}))
echo "bake print suite: $pass/$total passed"
if [ ${#failed[@]} -gt 0 ]; then
  echo "failed: ${failed[*]}"
  exit 1
fi
[ "$total" -gt 0 ] || { echo "no case matched '$filter'"; exit 1; }
