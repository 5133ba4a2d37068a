#!/usr/bin/env bash
# The build graph, seen from outside:
#  - two independent `sleep 3` stages run at the same time and an unused
#    stage never runs (asserted on rawjson progress events, not wall time);
#  - a base-image tag that moves to another image is a cache miss.
source "$(dirname "$0")/lib/common.sh"
source "$XB_E2E_LIB/registry.sh"
source "$XBUILD_SOURCE_DIR/tests/e2e/tools/seed_images.sh"
xb_require_plugin_binary
xb_require_root "the RUN sandbox"

xb_registry_start --name main
REG="$XB_REGISTRY_HOST"
X="$XBUILD_BIN"
xb_seed_busybox "$REG/base/bb:latest" amd64 >/dev/null
xb_private_builder graph

# --- parallel stages and pruning ---------------------------------------------
ctx="$XB_TMP/par"
mkdir -p "$ctx"
cat >"$ctx/Dockerfile" <<DOCKERFILE
FROM $REG/base/bb:latest AS one
RUN sleep 3 && echo one > /one

FROM $REG/base/bb:latest AS two
RUN sleep 3 && echo two > /two

FROM $REG/base/bb:latest AS unused
RUN sleep 5 && echo never > /never

FROM $REG/base/bb:latest
COPY --from=one /one /one
COPY --from=two /two /two
DOCKERFILE
xb_run par "$X" build --progress rawjson "$ctx"
[[ $par_rc == 0 ]] || xb_fail "parallel build failed: $par_err"
python3 - "$par_err" <<'PY'
import datetime, json, sys
def t(s):
    s = s.rstrip("Z")
    if "." in s:
        head, frac = s.split(".")
        s = head + "." + frac[:6]
    return datetime.datetime.fromisoformat(s)
spans, names = {}, []
for line in sys.argv[1].splitlines():
    if not line.startswith("{"):
        continue
    for v in json.loads(line).get("vertexes", []):
        names.append(v["name"])
        if v.get("started") and v.get("completed"):
            spans[v["name"]] = (t(v["started"]), t(v["completed"]))
assert not any("sleep 5" in n for n in names), "the unused stage ran"
one = next(s for n, s in spans.items() if "echo one" in n)
two = next(s for n, s in spans.items() if "echo two" in n)
assert one[0] < two[1] and two[0] < one[1], ("the two stages did not overlap", one, two)
PY

# --- a moved base tag is a miss ----------------------------------------------
app="$XB_TMP/app"
mkdir -p "$app"
printf 'FROM %s\nRUN (cat /moved 2>/dev/null || echo original) > /which\n' "$REG/base/bb:latest" >"$app/Dockerfile"
"$X" build --progress quiet -o "type=local,dest=$XB_TMP/first" "$app"
xb_assert_eq original "$(cat "$XB_TMP/first/which")" "first build"
xb_run same "$X" build --progress plain "$app"
xb_assert_not_contains "$same_err" " DONE " "a step ran although the base tag did not move"

mover="$XB_TMP/mover"
mkdir -p "$mover"
printf 'FROM %s\nRUN echo moved > /moved\n' "$REG/base/bb:latest" >"$mover/Dockerfile"
"$X" build --progress quiet --push -t "$REG/base/bb:latest" "$mover"

xb_run moved "$X" build --progress plain -o "type=local,dest=$XB_TMP/second" "$app"
[[ $moved_rc == 0 ]] || xb_fail "build after the tag moved failed: $moved_err"
xb_assert_contains "$moved_err" " DONE " "nothing ran after the base tag moved"
xb_assert_eq moved "$(cat "$XB_TMP/second/which")" "the build used the image the tag points to now"
