#!/usr/bin/env bash
# Push benchmark: a ~300 MiB image of 4 random gzip layers, pushed from the
# same OCI layout (warm page cache) by `skopeo copy` and by our registry
# client (bench/push.cpp), each into a fresh docker-registry on 127.0.0.1,
# alternating for ROUNDS rounds; then a re-push where every blob exists.
# Prints best times, peak RSS and ratios (ours / skopeo; ≤ 1.0 is the goal).
#
#   bench/push.sh [BUILD_DIR]     env: ROUNDS (2), LAYER_MIB (75), LAYERS (4)
set -Eeuo pipefail
: "${XBUILD_SOURCE_DIR:=$(cd "$(dirname "$0")/.." && pwd)}"
: "${XBUILD_BUILD_DIR:=${1:-$XBUILD_SOURCE_DIR/build}}"
export XBUILD_SOURCE_DIR XBUILD_BUILD_DIR
source "$XBUILD_SOURCE_DIR/tests/e2e/lib/common.sh"
source "$XB_E2E_LIB/registry.sh"
XB_TEST_NAME=bench_push
BENCH="$XBUILD_BUILD_DIR/bench/xbuild_bench_push"
[[ -x "$BENCH" ]] || xb_fail "build it first: ninja -C $XBUILD_BUILD_DIR xbuild_bench_push"
xb_require_cmd skopeo skopeo
ROUNDS="${ROUNDS:-2}" LAYER_MIB="${LAYER_MIB:-75}" LAYERS="${LAYERS:-4}"

layout="$XB_TMP/layout"
python3 "$XBUILD_SOURCE_DIR/tests/e2e/tools/make_oci_layout.py" --out "$layout" --arch amd64 \
  --layers "$LAYERS" --layer-size $((LAYER_MIB * 1024 * 1024)) --gzip --seed bench >/dev/null
size_mib=$(($(du -sb "$layout/blobs" | cut -f1) / 1024 / 1024))
cat "$layout"/blobs/sha256/* >/dev/null # warm page cache for both contenders

measure() { # OUT_VAR CMD… : "seconds maxrss_kib"
  local out="$1"
  shift
  /usr/bin/time -f "%e %M" -o "$XB_TMP/time" "$@" >"$XB_TMP/cmd.out" 2>&1 ||
    xb_fail "$* failed: $(cat "$XB_TMP/cmd.out")"
  printf -v "$out" '%s' "$(tail -n 1 "$XB_TMP/time")"
}

best_s=999999 best_o=999999 rss_s=0 rss_o=0
for ((round = 1; round <= ROUNDS; round++)); do
  xb_registry_start --name "skopeo$round"
  measure t skopeo copy -q --dest-tls-verify=false "oci:$layout:latest" "docker://$XB_REGISTRY_HOST/bench:1"
  read -r secs rss <<<"$t"
  xb_log "round $round skopeo: ${secs}s, ${rss} KiB"
  best_s=$(python3 -c "print(min($best_s, $secs))") rss_s=$((rss > rss_s ? rss : rss_s))

  xb_registry_start --name "ours$round"
  measure t "$BENCH" "$layout" "$XB_REGISTRY_HOST/bench:1"
  read -r secs rss <<<"$t"
  xb_log "round $round ours:   ${secs}s, ${rss} KiB ($(cat "$XB_TMP/cmd.out"))"
  best_o=$(python3 -c "print(min($best_o, $secs))") rss_o=$((rss > rss_o ? rss : rss_o))
  # What we pushed is what the layout holds, byte for byte.
  want="$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["manifests"][0]["digest"])' "$layout/index.json")"
  got="$(skopeo inspect --tls-verify=false --format '{{.Digest}}' "docker://$XB_REGISTRY_HOST/bench:1")"
  [[ "$want" == "$got" ]] || xb_fail "pushed manifest $got, layout has $want"
done

measure t "$BENCH" "$layout" "$XB_REGISTRY_HOST/bench:2"
read -r repush_s _ <<<"$t"
grep -q "0 uploaded" "$XB_TMP/cmd.out" || xb_fail "re-push uploaded blobs: $(cat "$XB_TMP/cmd.out")"

printf '\npush of %d MiB (%d layers), best of %d rounds\n' "$size_mib" "$LAYERS" "$ROUNDS"
printf '  skopeo copy   %8.2f s  peak RSS %6d KiB\n' "$best_s" "$rss_s"
printf '  xbuild        %8.2f s  peak RSS %6d KiB\n' "$best_o" "$rss_o"
printf '  ratio (xbuild/skopeo)  time %.2f   RSS %.2f\n' \
  "$(python3 -c "print($best_o / $best_s)")" "$(python3 -c "print($rss_o / $rss_s)")"
printf '  re-push, every blob present: %.2f s (target < 0.3 s)\n' "$repush_s"
