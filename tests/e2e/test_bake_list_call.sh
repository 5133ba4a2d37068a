#!/usr/bin/env bash
# `bake --list` (tables as buildx's tabwriter prints them, JSON) and
# `bake --call/--check` (the Dockerfile subrequests of `build --call`, per
# target): outputs, exit codes (a lint warning fails --check), usage errors
# (125), and a target with `call = "check"` next to one that is built.
source "$(dirname "$0")/lib/common.sh"
xb_require_plugin_binary
X="$XBUILD_BIN"
xb_private_builder listcall

cd "$XB_TMP"
mkdir -p clean messy
printf 'hello\n' >clean/a.txt
cat >clean/Dockerfile <<'DOCKERFILE'
ARG GREETING=hi
# base the first stage
FROM scratch AS base
COPY a.txt /a.txt
FROM base AS final
DOCKERFILE
cat >messy/Dockerfile <<'DOCKERFILE'
FROM scratch AS base
copy a.txt /a.txt
DOCKERFILE
cat >docker-bake.hcl <<'HCL'
variable "TAG" {
  default     = "latest"
  description = "Tag to use"
}
variable "N" {
  type    = number
  default = 3
}
group "default" {
  targets     = ["clean", "messy"]
  description = "Everything"
}
target "clean" {
  description = "A clean Dockerfile"
  context     = "clean"
}
target "messy" {
  context = "messy"
}
target "_hidden" {
  context = "clean"
}
target "linted" {
  context = "messy"
  call    = "check"
}
target "out" {
  context = "clean"
  output  = ["type=local,dest=out"]
}
HCL

# --- --list -------------------------------------------------------------------
xb_run lt "$X" bake --list targets
xb_assert_eq 0 "$lt_rc" "--list targets exit code"
expected=$'TARGET\tDESCRIPTION\nclean\tA clean Dockerfile\ndefault\tEverything (clean, messy)\nlinted\t\nmessy\t\nout\t'
xb_assert_eq "$expected" "$lt_out" "--list targets table"
xb_run lj "$X" bake --list=type=targets,format=json
python3 - "$lj_out" <<'PY'
import json, sys
got = json.loads(sys.argv[1])
assert got == [
    {"name": "clean", "description": "A clean Dockerfile"},
    {"name": "default", "description": "Everything (clean, messy)", "group": True},
    {"name": "linted"}, {"name": "messy"}, {"name": "out"}], got
PY
xb_run lv "$X" bake --list variables
expected=$'VARIABLE\tTYPE\tVALUE\tDESCRIPTION\nN\t\tnumber\t3\t\nTAG\t\t\tlatest\tTag to use'
xb_assert_eq "$expected" "$lv_out" "--list variables table"
xb_run lvj "$X" bake --list=variables,format=json --var TAG=v2
python3 - "$lvj_out" <<'PY'
import json, sys
got = json.loads(sys.argv[1])
assert got == [{"name": "N", "type": "number", "value": "3"},
               {"name": "TAG", "description": "Tag to use", "value": "v2"}], got
PY
for bad in "--list=stages" "--list=type=targets,format=yaml" "--execution=sometimes" \
  "--max-parallelism=-2"; do
  xb_run bad "$X" bake $bad
  xb_assert_eq 125 "$bad_rc" "exit code of bake $bad"
done
xb_run both "$X" bake --list targets --print
xb_assert_eq 125 "$both_rc" "--list with --print"
xb_assert_contains "$both_err" "--print and --list are mutually exclusive"

# --- --check / --call -----------------------------------------------------------
xb_run ok "$X" bake --check clean
xb_assert_eq 0 "$ok_rc" "--check on a clean Dockerfile"
xb_assert_eq $'clean\nA clean Dockerfile\n\nCheck complete, no warnings found.' "$ok_out" "--check output"
xb_run warn "$X" bake --check
xb_assert_eq 1 "$warn_rc" "--check with a lint warning"
xb_assert_contains "$warn_out" $'messy\n\nCheck complete, 1 warning has been found!'
xb_assert_contains "$warn_out" "WARNING: ConsistentInstructionCasing"
xb_run ign "$X" bake --call check,ignorestatus=true
xb_assert_eq 0 "$ign_rc" "--call check,ignorestatus=true"
xb_run cj "$X" bake --call check,format=json
xb_assert_eq 1 "$cj_rc" "--call check,format=json with a warning"
python3 - "$cj_out" <<'PY'
import json, sys
doc = json.loads(sys.argv[1])
assert doc["target"]["clean"]["check"]["warnings"] == [], doc["target"]["clean"]
w = doc["target"]["messy"]["check"]["warnings"]
assert [x["ruleName"] for x in w] == ["ConsistentInstructionCasing"], w
assert doc["target"]["messy"]["build"]["call"] == "check"
PY
xb_run outline "$X" bake --call outline clean
xb_assert_eq 0 "$outline_rc" "--call outline"
xb_assert_contains "$outline_out" "TARGET:      final"
xb_assert_contains "$outline_out" "GREETING"
xb_run tg "$X" bake --call targets,format=json clean
python3 - "$tg_out" <<'PY'
import json, sys
doc = json.loads(sys.argv[1])
names = [t["name"] for t in doc["target"]["clean"]["targets"]["targets"]]
assert names == ["base", "final"], names
PY
xb_run badcall "$X" bake --call frobnicate
xb_assert_eq 125 "$badcall_rc" "--call with an unknown method"

# A target with call = "check" is answered; the other one is still built.
xb_run mixed "$X" bake --progress quiet linted out
xb_assert_eq 1 "$mixed_rc" "a checked target with a warning next to a built one"
xb_assert_contains "$mixed_out" $'linted\n\nCheck complete, 1 warning has been found!'
[[ -f out/a.txt ]] || xb_fail "the target without call was not built: $mixed_err"

# A normal bake shows each target's lint warnings before building it, and
# `# check=error=true` fails that target (its linked users are skipped).
mkdir -p strict
printf 'x\n' >strict/a.txt
printf 'm\n' >messy/a.txt
printf '# check=error=true\nFROM scratch\ncopy a.txt /a.txt\nCOPY a.txt /b.txt\n' >strict/Dockerfile
cat >strict.hcl <<'HCL'
target "strict" {
  context = "strict"
}
target "user" {
  contexts          = { base = "target:strict" }
  dockerfile-inline = "FROM base\n"
}
target "fine" {
  context = "messy"
  output  = ["type=local,dest=out-fine"]
}
HCL
xb_run strict "$X" bake -f strict.hcl --execution continue --progress quiet strict user fine
xb_assert_eq 1 "$strict_rc" "a lint violation with check=error=true"
xb_assert_contains "$strict_err" $'target "fine": 1 warning found:'
xb_assert_contains "$strict_err" 'ERROR: target "strict": lint violation found for rules: ConsistentInstructionCasing'
xb_assert_contains "$strict_err" "skipped: needs strict, which failed"
[[ -f out-fine/a.txt ]] || xb_fail "the target with warnings only was not built: $strict_err"
