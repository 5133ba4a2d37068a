#!/usr/bin/env bash
# `docker xbuild bake` of a compose project on the embedded engine: two
# services with `build`, one made multi-platform through `x-bake.platforms`
# and written as an OCI layout tarball, one written to a local directory.
# Checks: --print shows compose's mapping (image → tags, args from
# `environment`, `.env` interpolation); the OCI tarball holds both platforms
# with the build arg in the config label; the local output has the file the
# RUN step wrote; an HCL override file merges onto the compose targets.
source "$(dirname "$0")/lib/common.sh"
source "$XB_E2E_LIB/registry.sh"
source "$XBUILD_SOURCE_DIR/tests/e2e/tools/seed_images.sh"
xb_require_plugin_binary
xb_require_root "the RUN sandbox"

xb_registry_start --name main
REG="$XB_REGISTRY_HOST"
X="$XBUILD_BIN"
xb_seed_busybox_multiarch "$REG/base/busybox"
xb_private_builder compose

proj="$XB_TMP/proj"
mkdir -p "$proj/web" "$proj/worker"
cd "$proj"
# No RUN in web: its arm64 half needs no emulation.
cat >web/Dockerfile <<DOCKERFILE
FROM $REG/base/busybox:latest
ARG GREETING
LABEL greeting=\$GREETING
COPY index.html /www/index.html
DOCKERFILE
echo '<h1>compose</h1>' >web/index.html
cat >worker/worker.Dockerfile <<DOCKERFILE
FROM $REG/base/busybox:latest AS build
RUN echo "built by \$(uname -m)" > /built.txt
FROM scratch
COPY --from=build /built.txt /built.txt
DOCKERFILE
printf 'TAG=1.0\n' >.env
cat >compose.yaml <<YAML
services:
  web:
    image: $REG/compose/web:\${TAG}
    build:
      context: ./web
      args:
        GREETING:
      x-bake:
        platforms:
          - linux/amd64
          - linux/arm64
        output: type=oci,dest=$XB_TMP/web-oci.tar
    environment:
      GREETING: hello-from-compose
    ports: ["8080:80"]
  worker:
    build:
      context: ./worker
      dockerfile: worker.Dockerfile
  db:
    image: postgres:16
YAML

"$X" bake --print >"$XB_TMP/print.json" 2>"$XB_TMP/print.err" ||
  xb_fail "bake --print failed: $(cat "$XB_TMP/print.err")"
python3 - "$XB_TMP/print.json" "$REG" <<'PY'
import json, sys
p, reg = json.load(open(sys.argv[1])), sys.argv[2]
assert p["group"]["default"]["targets"] == ["web", "worker"], p["group"]
web = p["target"]["web"]
assert web["tags"] == [reg + "/compose/web:1.0"], web
assert web["args"] == {"GREETING": "hello-from-compose"}, web
assert web["platforms"] == ["linux/amd64", "linux/arm64"], web
assert web["context"] == "web", web
assert p["target"]["worker"]["dockerfile"] == "worker.Dockerfile", p["target"]["worker"]
assert "db" not in p["target"], "a service without build became a target"
PY

# An HCL file next to the compose file merges onto its targets.
cat >docker-bake.override.hcl <<HCL
target "worker" {
  output = ["type=local,dest=$XB_TMP/worker-out"]
}
HCL

xb_run bake "$X" bake --progress plain
[[ $bake_rc == 0 ]] || xb_fail "bake failed: $bake_err"

[[ -f "$XB_TMP/worker-out/built.txt" ]] || xb_fail "the worker's local output has no built.txt"
xb_assert_contains "$(cat "$XB_TMP/worker-out/built.txt")" "built by x86_64" "the RUN step's file"

mkdir -p "$XB_TMP/web-oci"
tar -xf "$XB_TMP/web-oci.tar" -C "$XB_TMP/web-oci" || xb_fail "web-oci.tar is not a tarball"
python3 - "$XB_TMP/web-oci" <<'PY'
import json, os, sys
root = sys.argv[1]
def blob(d):
    algo, hexd = d.split(":")
    return json.load(open(os.path.join(root, "blobs", algo, hexd)))
manifests = []
def walk(desc_list):
    for d in desc_list:
        if d["mediaType"].endswith("image.index.v1+json") or "manifest.list" in d["mediaType"]:
            walk(blob(d["digest"])["manifests"])
        else:
            manifests.append(d)
walk(json.load(open(os.path.join(root, "index.json")))["manifests"])
images = [m for m in manifests if m.get("platform", {}).get("architecture") != "unknown"]
archs = sorted(m["platform"]["architecture"] for m in images)
assert archs == ["amd64", "arm64"], archs
for m in images:
    config = blob(blob(m["digest"])["config"]["digest"])
    labels = config.get("config", {}).get("Labels", {})
    assert labels.get("greeting") == "hello-from-compose", labels
    assert config["architecture"] == m["platform"]["architecture"], config["architecture"]
PY
if command -v skopeo >/dev/null; then
  skopeo inspect --raw "oci-archive:$XB_TMP/web-oci.tar" >/dev/null 2>&1 ||
    skopeo inspect --raw "oci:$XB_TMP/web-oci" >/dev/null ||
    xb_fail "skopeo cannot read the web OCI layout"
fi
