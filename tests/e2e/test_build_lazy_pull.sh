#!/usr/bin/env bash
# Base images are pulled lazily: a layer blob is downloaded only when a step
# runs on it, an output contains it, or a push can neither find nor mount it.
# Counted on the registry's own request log (blob GETs by docker-xbuild):
#  (a) a metadata-only Dockerfile pushed next to its base: no layer GET, the
#      layers are mounted from the base's repository, the image is complete;
#  (c) an unused stage's image is never resolved (no request for it at all);
#  (d) an oci / docker / local output of the same build downloads the layer
#      once and contains it, so does --load (docker run works); a RUN build
#      extracts it once;
#  (b) after the state's copies of the base blobs are deleted, a cached
#      rebuild pushed to a new repository downloads nothing and is complete;
#      a push to another registry downloads the layers and uploads them.
source "$(dirname "$0")/lib/common.sh"
source "$XB_E2E_LIB/registry.sh"
source "$XB_E2E_LIB/dockerd.sh"
source "$XBUILD_SOURCE_DIR/tests/e2e/tools/seed_images.sh"
xb_require_plugin_binary
xb_require_root "the RUN sandbox"
xb_require_cmd skopeo skopeo

xb_registry_start --name main
REG="$XB_REGISTRY_HOST"
REGLOG="$XB_TMP/registry-main/registry.log"
X="$XBUILD_BIN"
xb_seed_busybox "$REG/base/busybox:latest" amd64 >/dev/null
xb_seed_image "$REG/other/unused:latest" amd64 >/dev/null
xb_private_builder lazy

skopeo inspect --tls-verify=false "docker://$REG/base/busybox:latest" >"$XB_TMP/base.json"
mapfile -t base_layers < <(python3 -c 'import json,sys; print("\n".join(json.load(open(sys.argv[1]))["Layers"]))' "$XB_TMP/base.json")
[[ ${#base_layers[@]} -ge 1 ]] || xb_fail "the seeded base image has no layers"

# Requests docker-xbuild made since `mark`, as "METHOD URI" lines.
mark() { wc -l <"$REGLOG"; }
requests_since() {
  tail -n +"$(($1 + 1))" "$REGLOG" | grep 'useragent=docker-xbuild' |
    sed -nE 's/.*http\.request\.method=([A-Z]+) .*http\.request\.uri="?([^" ]*)"?.*/\1 \2/p'
}
# base_gets REQUESTS : how many GETs of a base layer blob they hold.
base_gets() {
  local n=0 l
  for l in "${base_layers[@]}"; do
    n=$((n + $(grep -c "^GET /v2/base/busybox/blobs/$l\$" <<<"$1" || true)))
  done
  echo "$n"
}
layers_of() { # REF → its layer digests, one a line
  skopeo inspect --tls-verify=false "docker://$1" |
    python3 -c 'import json,sys; print("\n".join(json.load(sys.stdin)["Layers"]))'
}

# --- (a) + (c): metadata only, pushed next to the base -----------------------
meta="$XB_TMP/meta"
mkdir -p "$meta"
cat >"$meta/Dockerfile" <<DOCKERFILE
FROM $REG/other/unused:latest AS unused
RUN echo never > /never

FROM $REG/base/busybox:latest
LABEL org.example.lazy=yes
ENV LAZY=1
CMD ["echo", "lazy"]
DOCKERFILE
m="$(mark)"
xb_run a "$X" build --progress plain -t "$REG/app/meta:1" --push "$meta"
[[ $a_rc == 0 ]] || xb_fail "metadata-only build failed: $a_err"
reqs="$(requests_since "$m")"
[[ -n "$reqs" ]] || xb_fail "no docker-xbuild requests in the registry log; is the log format as expected? $(tail -n 3 "$REGLOG")"
xb_assert_eq 0 "$(base_gets "$reqs")" "base layer GETs of a metadata-only build pushed next to its base"
xb_assert_not_contains "$reqs" "/v2/other/unused/" "requests for the unused stage's image"
for l in "${base_layers[@]}"; do
  grep -q "^POST /v2/app/meta/blobs/uploads/?.*mount=sha256%3A${l#sha256:}" <<<"$reqs" ||
    xb_fail "layer $l was not mounted from base/busybox; requests: $reqs"
done
xb_assert_eq "$(printf '%s\n' "${base_layers[@]}")" "$(layers_of "$REG/app/meta:1")" "layers of the pushed image"
skopeo inspect --tls-verify=false --config "docker://$REG/app/meta:1" >"$XB_TMP/meta-config.json"
python3 - "$XB_TMP/meta-config.json" <<'PY'
import json, sys
c = json.load(open(sys.argv[1]))["config"]
assert c["Labels"]["org.example.lazy"] == "yes", c
assert "LAZY=1" in c["Env"], c
assert c["Cmd"] == ["echo", "lazy"], c
PY
# Complete: skopeo fetches and verifies every blob.
skopeo copy -q --src-tls-verify=false "docker://$REG/app/meta:1" "oci:$XB_TMP/meta-copy:x" ||
  xb_fail "skopeo cannot copy the pushed metadata-only image"

# du/prune cope with layers that were never downloaded.
xb_run du "$X" du --verbose
[[ $du_rc == 0 ]] || xb_fail "du failed on a state with lazy layers: $du_err"
xb_assert_contains "$du_out" "not downloaded" "du's description of a lazy layer"

# --- (d) outputs that contain the layers download them, once -----------------
m="$(mark)"
xb_run oci "$X" build --progress rawjson -o "type=oci,dest=$XB_TMP/meta-oci.tar" "$meta"
[[ $oci_rc == 0 ]] || xb_fail "oci output failed: $oci_err"
reqs="$(requests_since "$m")"
xb_assert_eq "${#base_layers[@]}" "$(base_gets "$reqs")" "base layer GETs for an oci output"
xb_assert_contains "$oci_err" "pull layer 1/${#base_layers[@]} of $REG/base/busybox:latest" "progress of the download"
skopeo copy -q "oci-archive:$XB_TMP/meta-oci.tar" "oci:$XB_TMP/meta-oci-copy:x" ||
  xb_fail "skopeo cannot read the oci output"
for l in "${base_layers[@]}"; do
  [[ -f "$XB_TMP/meta-oci-copy/blobs/sha256/${l#sha256:}" ]] || xb_fail "the oci output lacks layer $l"
done

m="$(mark)"
xb_run dock "$X" build --progress plain -o "type=docker,dest=$XB_TMP/meta-docker.tar" \
  -t lazy/meta:1 "$meta"
[[ $dock_rc == 0 ]] || xb_fail "docker output failed: $dock_err"
xb_assert_eq 0 "$(base_gets "$(requests_since "$m")")" "base layer GETs once the blob is in the state"
skopeo copy -q "docker-archive:$XB_TMP/meta-docker.tar" "oci:$XB_TMP/meta-docker-copy:x" ||
  xb_fail "skopeo cannot read the docker output"

xb_run loc "$X" build --progress plain -o "type=local,dest=$XB_TMP/meta-rootfs" "$meta"
[[ $loc_rc == 0 ]] || xb_fail "local output failed: $loc_err"
[[ -x "$XB_TMP/meta-rootfs/bin/busybox" ]] || xb_fail "the local output has no /bin/busybox"

# --- (b) RUN extracts once; a cached rebuild without the blobs pulls nothing -
run="$XB_TMP/run"
mkdir -p "$run"
cat >"$run/Dockerfile" <<DOCKERFILE
FROM $REG/base/busybox:latest
RUN echo built > /built
DOCKERFILE
# A fresh builder state: nothing downloaded yet.
"$X" create --name lazy2 --driver local --driver-opt "root=$XB_TMP/state2" >/dev/null
m="$(mark)"
XBUILD_BUILDER=lazy2 xb_run r1 "$X" build --progress plain -t "$REG/app/run:1" --push "$run"
[[ $r1_rc == 0 ]] || xb_fail "RUN build failed: $r1_err"
xb_assert_eq "${#base_layers[@]}" "$(base_gets "$(requests_since "$m")")" "base layer GETs of a RUN build"
xb_assert_contains "$r1_err" "extract layer 1/${#base_layers[@]}" "progress of the extraction"
size="$(skopeo inspect --tls-verify=false --raw "docker://$REG/base/busybox:latest" |
  python3 -c 'import json,sys; print(json.load(sys.stdin)["layers"][0]["size"])')"
xb_assert_contains "$r1_err" "${base_layers[0]} ${size}B / ${size}B done" "byte progress of the download"

for l in "${base_layers[@]}"; do
  rm -f "$XB_TMP/state2/content/blobs/sha256/${l#sha256:}"
done
m="$(mark)"
XBUILD_BUILDER=lazy2 xb_run r2 "$X" build --progress plain -t "$REG/app/run2:1" --push "$run"
[[ $r2_rc == 0 ]] || xb_fail "cached RUN rebuild failed: $r2_err"
xb_assert_contains "$r2_err" "CACHED" "the RUN step of the rebuild"
xb_assert_eq 0 "$(base_gets "$(requests_since "$m")")" "base layer GETs of a cached rebuild pushed next to its base"
xb_assert_eq "$(layers_of "$REG/app/run:1")" "$(layers_of "$REG/app/run2:1")" "layers of the rebuilt image"
skopeo copy -q --src-tls-verify=false "docker://$REG/app/run2:1" "oci:$XB_TMP/run2-copy:x" ||
  xb_fail "skopeo cannot copy the rebuilt image"

# --load from a fresh state: the layers are downloaded for the daemon.
xb_dockerd_start
"$X" create --name lazy3 --driver local --driver-opt "root=$XB_TMP/state3" >/dev/null
m="$(mark)"
XBUILD_BUILDER=lazy3 xb_run load "$X" build --progress plain --load -t lazy/meta:load "$meta"
[[ $load_rc == 0 ]] || xb_fail "--load failed: $load_err"
xb_assert_eq "${#base_layers[@]}" "$(base_gets "$(requests_since "$m")")" "base layer GETs for --load"
xb_assert_eq "lazy" "$(docker run --rm lazy/meta:load)" "docker run of the loaded metadata-only image"

# A push to another registry can neither find nor mount the base layers:
# they are downloaded (once) and uploaded, and the image is complete.
xb_registry_start --name other
OTHER="$XB_REGISTRY_HOST"
"$X" create --name lazy4 --driver local --driver-opt "root=$XB_TMP/state4" >/dev/null
m="$(mark)"
XBUILD_BUILDER=lazy4 xb_run far "$X" build --progress plain -t "$OTHER/app/meta:1" --push "$meta"
[[ $far_rc == 0 ]] || xb_fail "push to another registry failed: $far_err"
xb_assert_eq "${#base_layers[@]}" "$(base_gets "$(requests_since "$m")")" "base layer GETs for a push to another registry"
xb_assert_eq "$(printf '%s\n' "${base_layers[@]}")" "$(layers_of "$OTHER/app/meta:1")" "layers pushed to the other registry"
skopeo copy -q --src-tls-verify=false "docker://$OTHER/app/meta:1" "oci:$XB_TMP/far-copy:x" ||
  xb_fail "skopeo cannot copy the image pushed to the other registry"

# prune --all removes lazy layers with the rest.
XBUILD_BUILDER=lazy xb_run pr "$X" prune -af
[[ $pr_rc == 0 ]] || xb_fail "prune --all failed: $pr_err"
[[ -z "$(ls "$XB_TMP/state/layers" 2>/dev/null)" ]] || xb_fail "prune --all left layer records: $(ls "$XB_TMP/state/layers")"

xb_log "ok"
