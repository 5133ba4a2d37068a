#!/usr/bin/env bash
# `docker xbuild bake --push` of a small monorepo on the embedded engine:
# four targets over a shared base stage, one `target:` link, two platforms
# (arm64 under QEMU). Every tag is in the registry with both platforms
# (skopeo), the shared stage ran once (rawjson progress), and the metadata
# file lists every target's digest.
source "$(dirname "$0")/lib/common.sh"
source "$XB_E2E_LIB/registry.sh"
source "$XB_E2E_LIB/qemu.sh"
source "$XBUILD_SOURCE_DIR/tests/e2e/tools/seed_images.sh"
xb_require_plugin_binary
xb_require_root "the RUN sandbox"
xb_require_cmd skopeo skopeo
xb_qemu_ensure aarch64

xb_registry_start --name main
REG="$XB_REGISTRY_HOST"
X="$XBUILD_BIN"
xb_seed_busybox_multiarch "$REG/base/busybox"
xb_private_builder e2e

repo="$XB_TMP/repo"
mkdir -p "$repo/common" "$repo/api" "$repo/web" "$repo/worker"
cat >"$repo/common/Dockerfile" <<DOCKERFILE
FROM $REG/base/busybox:latest AS shared
RUN echo "shared layer built on \$(uname -m)" > /shared.txt
DOCKERFILE
for svc in api web worker; do
  echo "$svc" >"$repo/$svc/name.txt"
  cat >"$repo/$svc/Dockerfile" <<DOCKERFILE
FROM common
COPY name.txt /name.txt
RUN echo "\$(cat /name.txt) on \$(uname -m)" > /service.txt
DOCKERFILE
done
cat >"$repo/docker-bake.hcl" <<HCL
variable "REGISTRY" {
  default = "$REG"
}
group "default" {
  targets = ["api", "web", "worker", "tools"]
}
target "_common" {
  platforms = ["linux/amd64", "linux/arm64"]
  contexts  = { common = "target:common" }
}
target "common" {
  context   = "common"
  platforms = ["linux/amd64", "linux/arm64"]
}
target "api" {
  inherits = ["_common"]
  context  = "api"
  tags     = ["\${REGISTRY}/mono/api:1"]
}
target "web" {
  inherits = ["_common"]
  context  = "web"
  tags     = ["\${REGISTRY}/mono/web:1"]
}
target "worker" {
  inherits = ["_common"]
  context  = "worker"
  tags     = ["\${REGISTRY}/mono/worker:1"]
}
target "tools" {
  context    = "common"
  target     = "shared"
  platforms  = ["linux/amd64", "linux/arm64"]
  tags       = ["\${REGISTRY}/mono/tools:1"]
}
HCL

cd "$repo"
"$X" bake --print >"$XB_TMP/print.json"
python3 - "$XB_TMP/print.json" <<'PY'
import json, sys
p = json.load(open(sys.argv[1]))
assert sorted(p["group"]["default"]["targets"]) == ["api", "tools", "web", "worker"], p["group"]
assert p["target"]["api"]["contexts"] == {"common": "target:common"}, p["target"]["api"]
assert "common" in p["target"], "linked target missing from --print"
PY

xb_run bake "$X" bake --push --progress rawjson --metadata-file "$XB_TMP/meta.json"
[[ $bake_rc == 0 ]] || xb_fail "bake failed: $bake_err"

# The shared stage ran once per platform, not once per target.
python3 - "$bake_err" <<'PY'
import json, sys
ran = {}
for line in sys.argv[1].splitlines():
    ev = json.loads(line)
    for v in ev.get("vertexes", []):
        if v.get("completed") and not v.get("cached") and not v.get("error"):
            ran[v["digest"]] = v["name"]
shared = [n for n in ran.values() if "shared layer built" in n]
assert len(shared) == 2, shared  # amd64 and arm64
services = [n for n in ran.values() if "/service.txt" in n]
assert len(services) == 6, services  # 3 services x 2 platforms
PY

python3 - "$XB_TMP/meta.json" <<'PY'
import json, sys
meta = json.load(open(sys.argv[1]))
assert "common" not in meta, "a target built only as a link is not a result"
for t in ("api", "web", "worker", "tools"):
    assert meta[t]["containerimage.digest"].startswith("sha256:"), (t, meta.get(t))
PY

for svc in api web worker tools; do
  skopeo inspect --raw --tls-verify=false "docker://$REG/mono/$svc:1" >"$XB_TMP/$svc.json"
  python3 - "$XB_TMP/$svc.json" "$XB_TMP/meta.json" "$svc" <<'PY'
import hashlib, json, sys
raw = open(sys.argv[1], "rb").read()
idx = json.loads(raw)
plats = sorted(m["platform"]["architecture"] for m in idx["manifests"])
assert plats == ["amd64", "arm64"], plats
meta = json.load(open(sys.argv[2]))
assert meta[sys.argv[3]]["containerimage.digest"] == "sha256:" + hashlib.sha256(raw).hexdigest()
PY
done
skopeo copy -q --all --src-tls-verify=false "docker://$REG/mono/api:1" "oci:$XB_TMP/copy:api"

# A second bake runs nothing.
xb_run again "$X" bake --progress plain
[[ $again_rc == 0 ]] || xb_fail "second bake failed: $again_err"
xb_assert_not_contains "$again_err" " DONE " "a step ran again on an unchanged bake"
