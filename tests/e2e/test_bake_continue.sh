#!/usr/bin/env bash
# `bake --execution continue` against a real registry: one target fails
# (RUN exit 3); the targets that do not need it are still built and pushed
# (one of them still running when the failure happens, one through a
# `target:` link), the target linking to the failed one is skipped, the exit
# code is non-zero and the summary names every target with its outcome.
# Then the default, fail-fast: the same failure stops the bake (the slow
# target's second step never starts) and nothing is pushed. Last,
# --max-parallelism 1 builds one target at a time.
source "$(dirname "$0")/lib/common.sh"
source "$XB_E2E_LIB/registry.sh"
source "$XBUILD_SOURCE_DIR/tests/e2e/tools/seed_images.sh"
xb_require_plugin_binary
xb_require_root "the RUN sandbox"
xb_require_cmd skopeo skopeo

xb_registry_start --name main
REG="$XB_REGISTRY_HOST"
X="$XBUILD_BIN"
xb_seed_busybox "$REG/base/busybox:latest" amd64 >/dev/null
xb_private_builder cont

repo="$XB_TMP/repo"
mkdir -p "$repo"
cd "$repo"
cat >docker-bake.hcl <<HCL
variable "TAG" {
  default = "1"
}
group "default" {
  targets = ["good", "linked", "slow", "bad", "dependent"]
}
target "_common" {
  platforms = ["linux/amd64"]
  args      = { TAG = TAG }
}
target "base" {
  inherits          = ["_common"]
  dockerfile-inline = "FROM $REG/base/busybox:latest\nARG TAG\nRUN echo base-\$TAG > /base.txt\n"
}
target "good" {
  inherits          = ["_common"]
  dockerfile-inline = "FROM $REG/base/busybox:latest\nARG TAG\nRUN echo good-\$TAG > /good.txt\n"
  tags              = ["$REG/cont/good:\${TAG}"]
}
target "linked" {
  inherits          = ["_common"]
  contexts          = { base = "target:base" }
  dockerfile-inline = "FROM base\nARG TAG\nRUN echo linked-\$TAG > /linked.txt\n"
  tags              = ["$REG/cont/linked:\${TAG}"]
}
target "slow" {
  inherits          = ["_common"]
  dockerfile-inline = "FROM $REG/base/busybox:latest\nARG TAG\nRUN sleep 3 && echo slow-\$TAG > /slow.txt\nRUN echo slow-after-\$TAG | tee /after.txt\n"
  tags              = ["$REG/cont/slow:\${TAG}"]
}
target "bad" {
  inherits          = ["_common"]
  dockerfile-inline = "FROM $REG/base/busybox:latest\nARG TAG\nRUN echo bad-\$TAG && exit 3\n"
  tags              = ["$REG/cont/bad:\${TAG}"]
}
target "dependent" {
  inherits          = ["_common"]
  contexts          = { bad = "target:bad" }
  dockerfile-inline = "FROM bad\nRUN echo never > /dependent.txt\n"
  tags              = ["$REG/cont/dependent:\${TAG}"]
}
HCL

exists() { skopeo inspect --raw --tls-verify=false "docker://$REG/cont/$1" >/dev/null 2>&1; }

# --- continue ---------------------------------------------------------------
xb_run cont "$X" bake --push --execution continue --progress plain --metadata-file "$XB_TMP/meta.json"
[[ $cont_rc != 0 ]] || xb_fail "a bake with a failed target exited 0"
[[ $cont_rc == 1 ]] || xb_fail "expected exit code 1, got $cont_rc: $cont_err"
for t in good linked slow; do
  exists "$t:1" || xb_fail "independent target $t was not pushed: $cont_err"
done
for t in bad dependent; do
  ! exists "$t:1" || xb_fail "$t was pushed although it failed or depends on a failure"
done
xb_assert_contains "$cont_err" "Bake summary (--execution continue): 4 built, 1 failed, 1 skipped"
summary="$(sed -n '/^Bake summary/,$p' <<<"$cont_err")"
grep -Eq '^good +built$' <<<"$summary" || xb_fail "summary: good not built: $summary"
grep -Eq '^linked +built$' <<<"$summary" || xb_fail "summary: linked not built: $summary"
grep -Eq '^slow +built$' <<<"$summary" || xb_fail "summary: slow not built: $summary"
grep -Eq '^base +built$' <<<"$summary" || xb_fail "summary: base (link only) not built: $summary"
grep -Eq '^bad +failed: .*exit code: 3$' <<<"$summary" || xb_fail "summary: bad not failed: $summary"
grep -Eq '^dependent +skipped: needs bad, which failed$' <<<"$summary" ||
  xb_fail "summary: dependent not skipped: $summary"
xb_assert_contains "$cont_err" 'ERROR: target "bad": failed to solve:'
# The slow target was still running when bad failed, and finished.
xb_assert_contains "$cont_err" "slow-after-1"
# The dependent target's own step never ran.
xb_assert_not_contains "$cont_err" "echo never"
python3 - "$XB_TMP/meta.json" <<'PY'
import json, sys
meta = json.load(open(sys.argv[1]))
assert sorted(meta) == ["good", "linked", "slow"], sorted(meta)
for t in meta.values():
    assert t["containerimage.digest"].startswith("sha256:"), t
PY
# What was pushed is the real image: the linked target carries base's layer.
skopeo copy -q --src-tls-verify=false "docker://$REG/cont/linked:1" "oci:$XB_TMP/linked:1"

# --- fail-fast (the default) ------------------------------------------------
xb_run ff "$X" bake --push --progress plain --var TAG=2
[[ $ff_rc == 1 ]] || xb_fail "fail-fast: expected exit code 1, got $ff_rc: $ff_err"
xb_assert_contains "$ff_err" 'ERROR: target "bad": failed to solve:'
xb_assert_contains "$ff_err" 'Bake stopped at the first failure (--execution fail-fast): target "bad" failed'
xb_assert_not_contains "$ff_err" "Bake summary"
# The running step was awaited, but nothing new started after the failure.
xb_assert_not_contains "$ff_err" "slow-after-2"
for t in good linked slow; do
  ! exists "$t:2" || xb_fail "fail-fast pushed $t although the bake failed"
done

# --- --max-parallelism 1: one target at a time ------------------------------
xb_run one "$X" bake --progress rawjson --max-parallelism 1 --var TAG=3 good slow linked
[[ $one_rc == 0 ]] || xb_fail "--max-parallelism 1 failed: $one_err"
python3 - "$one_err" <<'PY'
import json, sys
from datetime import datetime
def ts(s):
    s = s.rstrip("Z")
    head, _, frac = s.partition(".")
    return datetime.fromisoformat(head).timestamp() + (float("0." + frac) if frac else 0)
spans = {}
for line in sys.argv[1].splitlines():
    for v in json.loads(line).get("vertexes", []):
        name = v.get("name", "")
        if "RUN" not in name or not v.get("started") or not v.get("completed") or v.get("cached"):
            continue
        spans[name] = (ts(v["started"]), ts(v["completed"]))
runs = sorted(spans.items(), key=lambda kv: kv[1][0])
assert len(runs) == 5, runs  # good, slow (2 steps), base, linked
for (n1, (s1, e1)), (n2, (s2, e2)) in zip(runs, runs[1:]):
    assert e1 <= s2 + 0.05, f"{n1} and {n2} overlap with --max-parallelism 1"
PY

# --- rawjson readers get every target's outcome as progress statuses -----------
xb_run raw "$X" bake --execution continue --progress rawjson
[[ $raw_rc == 1 ]] || xb_fail "rawjson continue: expected exit code 1, got $raw_rc"
python3 - "$raw_err" <<'PY'
import json, sys
ids, results = set(), set()
for line in sys.argv[1].splitlines():
    if not line.startswith("{"):
        continue  # the ERROR lines and the summary
    ev = json.loads(line)
    for v in ev.get("vertexes", []):
        if v.get("name") == "[internal] target results":
            results.add(v["digest"])
    for s in ev.get("statuses", []):
        if s.get("vertex") in results:
            ids.add(s["id"])
assert results, "no [internal] target results vertex"
for want in ("bad: failed", "dependent: skipped", "good: succeeded", "linked: succeeded",
             "slow: succeeded", "base: succeeded"):
    assert want in ids, (want, sorted(ids))
PY
