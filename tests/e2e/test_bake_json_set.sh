#!/usr/bin/env bash
# bake with a JSON definition and --set overrides, built on the embedded
# engine (FROM scratch, no registry): the override reaches the build, and
# bad overrides fail with clear messages; a compose-only directory prints.
source "$(dirname "$0")/lib/common.sh"
xb_require_plugin_binary
xb_require_root "the embedded engine's snapshots"
X="$XBUILD_BIN"
xb_private_builder bj

dir="$XB_TMP/proj"
mkdir -p "$dir"
cd "$dir"
echo "payload" >payload.txt
cat >docker-bake.json <<'JSON'
{
  "variable": {"NAME": {"default": "from-default"}},
  "target": {
    "files": {
      "context": ".",
      "dockerfile-inline": "FROM scratch\nARG NAME\nCOPY payload.txt /$${NAME}.txt\n",
      "args": {"NAME": "${NAME}"},
      "output": ["type=local,dest=out-default"]
    }
  }
}
JSON
"$X" bake --progress quiet files
[[ -f out-default/from-default.txt ]] || xb_fail "JSON target did not build with its variable default"

NAME=from-env "$X" bake --progress quiet files --set files.output=type=local,dest=out-set \
  --set files.args.NAME=from-set
[[ -f out-set/from-set.txt ]] || xb_fail "--set did not override the output and the arg"

xb_run bad "$X" bake --set nosuch.tags=x
[[ $bad_rc != 0 ]] || xb_fail "--set on an unknown target succeeded"
xb_assert_contains "$bad_err" "nosuch" "the error names the pattern"

mkdir -p "$XB_TMP/compose-only" && cd "$XB_TMP/compose-only"
printf 'services:\n  app:\n    build: .\n' >compose.yaml
xb_run compose "$X" bake --print
[[ $compose_rc == 0 ]] || xb_fail "a compose-only directory did not print: $compose_err"
xb_assert_contains "$compose_out" '"app"' "the compose service is a target"
