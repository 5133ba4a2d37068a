#!/usr/bin/env bash
# `docker xbuild build --call=targets|outline|check` and `--check` through the
# real binary: answers without building, lint warnings with their rule names
# and exit codes, and `# check=error=true` stopping a build before any work.
source "$(dirname "$0")/lib/common.sh"
xb_require_plugin_binary
X="$XBUILD_BIN"
xb_private_builder calls

ctx="$XB_TMP/ctx"
mkdir -p "$ctx"
cat >"$ctx/Dockerfile" <<'DOCKERFILE'
ARG VERSION=1
# base the shared base stage
FROM scratch AS base
ARG FLAVOR=plain
# release what gets shipped
FROM base AS release
COPY --from=base / /
DOCKERFILE

targets="$("$X" build --call=targets "$ctx")"
xb_assert_contains "$targets" "base" "targets lists the base stage"
xb_assert_contains "$targets" "release" "targets lists the release stage"
xb_assert_contains "$targets" "the shared base stage" "stage description from the comment"

outline="$("$X" build --call=outline --target base "$ctx")"
xb_assert_contains "$outline" "FLAVOR" "outline lists the stage's ARG"

"$X" build --call=targets,format=json "$ctx" >"$XB_TMP/targets.json"
python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$XB_TMP/targets.json" ||
  xb_fail "--call=targets,format=json is not JSON"

# A lint warning: --check reports the rule and exits 1.
printf 'FROM scratch as Build\nMAINTAINER someone\n' >"$XB_TMP/Dockerfile.lint"
xb_run check "$X" build --check -f "$XB_TMP/Dockerfile.lint" "$ctx"
[[ $check_rc == 1 ]] || xb_fail "--check with warnings exited $check_rc"
xb_assert_contains "$check_out$check_err" "MaintainerDeprecated" "rule name"
xb_assert_contains "$check_out$check_err" "FromAsCasing" "rule name"

# check=error=true: the build stops before it runs anything.
printf '# check=error=true\nFROM scratch as Build\nRUN echo should-not-run\n' >"$XB_TMP/Dockerfile.strict"
xb_run strict "$X" build --progress plain -f "$XB_TMP/Dockerfile.strict" "$ctx"
[[ $strict_rc != 0 ]] || xb_fail "a build with check=error=true and a warning succeeded"
xb_assert_not_contains "$strict_err" "should-not-run" "a step ran despite check=error=true"
