#!/usr/bin/env bash
# A two-platform build on the embedded engine: the arm64 RUN steps execute
# under QEMU (binfmt_misc), each platform records `uname -m` during the
# build, the shared native stage (FROM --platform=$BUILDPLATFORM) runs once,
# and the pushed index holds both platforms (checked with skopeo).
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

"$X" create --name e2e --driver local --driver-opt "root=$XB_TMP/state" >/dev/null
# Named, not `use`d: the current builder is chosen per docker endpoint, and
# starting the private dockerd below changes the endpoint.
export XBUILD_BUILDER=e2e
ctx="$XB_TMP/ctx"
mkdir -p "$ctx"
cat >"$ctx/Dockerfile" <<DOCKERFILE
FROM --platform=\$BUILDPLATFORM $REG/base/busybox:latest AS native
RUN echo "native step on \$(uname -m)" > /native.txt

FROM $REG/base/busybox:latest
ARG TARGETARCH
COPY --from=native /native.txt /native.txt
RUN uname -m > /arch.txt && echo "TARGETARCH=\$TARGETARCH" >> /arch.txt
DOCKERFILE

xb_run b "$X" build --progress rawjson --platform linux/amd64,linux/arm64 \
  -t "$REG/app:multi" --push -o "type=local,dest=$XB_TMP/out" "$ctx"
[[ $b_rc == 0 ]] || xb_fail "multi-platform build failed: $b_err"

xb_assert_eq "x86_64" "$(head -1 "$XB_TMP/out/linux_amd64/arch.txt")" "amd64 uname -m"
xb_assert_eq "aarch64" "$(head -1 "$XB_TMP/out/linux_arm64/arch.txt")" "arm64 uname -m (QEMU)"
xb_assert_eq "TARGETARCH=arm64" "$(tail -1 "$XB_TMP/out/linux_arm64/arch.txt")" "platform ARG"
xb_assert_eq "native step on x86_64" "$(cat "$XB_TMP/out/linux_arm64/native.txt")" "BUILDPLATFORM stage"

# The native stage is one vertex shared by both platforms: it ran once.
python3 - "$b_err" <<'PY'
import json, sys
done = {}
for line in sys.argv[1].splitlines():
    ev = json.loads(line)
    for v in ev.get("vertexes", []):
        if v.get("completed") and not v.get("cached"):
            done[v["digest"]] = v["name"]
native = [n for n in done.values() if "native step" in n]
assert len(native) == 1, native
PY

skopeo inspect --raw --tls-verify=false "docker://$REG/app:multi" >"$XB_TMP/index.json"
python3 - "$XB_TMP/index.json" <<'PY'
import json, sys
idx = json.load(open(sys.argv[1]))
assert idx["mediaType"] == "application/vnd.oci.image.index.v1+json", idx
plats = sorted(m["platform"]["architecture"] for m in idx["manifests"])
assert plats == ["amd64", "arm64"], plats
PY
skopeo copy -q --all --src-tls-verify=false "docker://$REG/app:multi" "oci:$XB_TMP/copy:multi"
