#!/usr/bin/env bash
# The embedded engine's state under stress and for reproducibility:
#  - two clean builds with SOURCE_DATE_EPOCH give byte-identical images;
#  - two builds running at once on one state directory both succeed, and
#    the store stays consistent (both rebuild fully cached afterwards);
#  - a build killed with SIGKILL mid-RUN leaves a state the next build uses.
# The base is the busybox fixture added from a local tar (no registry).
source "$(dirname "$0")/lib/common.sh"
source "$XB_E2E_LIB/busybox.sh"
xb_require_plugin_binary
xb_require_root "the RUN sandbox"
X="$XBUILD_BIN"
xb_busybox_rootfs amd64

ctx="$XB_TMP/ctx"
mkdir -p "$ctx"
cp "$XB_BUSYBOX_TAR" "$ctx/rootfs.tar"
cat >"$ctx/Dockerfile" <<'DOCKERFILE'
FROM scratch
ADD rootfs.tar /
ARG WHAT=one
RUN echo "built $WHAT" > /what.txt && mkdir -p /var/log && touch /var/log/now
CMD ["cat", "/what.txt"]
DOCKERFILE

# --- reproducibility ---------------------------------------------------------
for i in 1 2; do
  "$X" create --name repro$i --driver local --driver-opt "root=$XB_TMP/repro$i" >/dev/null
  SOURCE_DATE_EPOCH=1700000000 "$X" --builder repro$i build --progress quiet \
    --metadata-file "$XB_TMP/repro$i.json" -o "type=oci,dest=$XB_TMP/repro$i.tar,rewrite-timestamp=true" "$ctx"
  sleep 1.2 # a different wall clock for the second build
done
d1="$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["containerimage.digest"])' "$XB_TMP/repro1.json")"
d2="$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["containerimage.digest"])' "$XB_TMP/repro2.json")"
xb_assert_eq "$d1" "$d2" "digests of two clean SOURCE_DATE_EPOCH builds"
cmp "$XB_TMP/repro1.tar" "$XB_TMP/repro2.tar" || xb_fail "the two OCI tarballs differ"

# --- two builds at once on one state directory -------------------------------
xb_private_builder shared "$XB_TMP/shared"
"$X" build --progress plain --build-arg WHAT=first -o "type=local,dest=$XB_TMP/first" "$ctx" \
  >"$XB_TMP/first.log" 2>&1 &
p1=$!
"$X" build --progress plain --build-arg WHAT=second -o "type=local,dest=$XB_TMP/second" "$ctx" \
  >"$XB_TMP/second.log" 2>&1 &
p2=$!
wait $p1 || xb_fail "concurrent build 1 failed: $(tail -5 "$XB_TMP/first.log")"
wait $p2 || xb_fail "concurrent build 2 failed: $(tail -5 "$XB_TMP/second.log")"
xb_assert_eq "built first" "$(cat "$XB_TMP/first/what.txt")" "build 1 result"
xb_assert_eq "built second" "$(cat "$XB_TMP/second/what.txt")" "build 2 result"
for what in first second; do
  out="$("$X" build --progress plain --build-arg WHAT=$what "$ctx" 2>&1)"
  xb_assert_not_contains "$out" " DONE " "rebuild of '$what' after the concurrent builds"
done

# --- SIGKILL in the middle of a RUN ------------------------------------------
cat >"$ctx/Dockerfile.slow" <<'DOCKERFILE'
FROM scratch
ADD rootfs.tar /
RUN echo started && sleep 30
DOCKERFILE
"$X" build --progress plain -f "$ctx/Dockerfile.slow" "$ctx" >"$XB_TMP/slow.log" 2>&1 &
slow=$!
xb_wait_for 60 "the slow RUN to start" grep -q "started" "$XB_TMP/slow.log"
kill -9 "$slow"
wait "$slow" 2>/dev/null || true
sleep 0.5
xb_run after "$X" build --progress plain --build-arg WHAT=after -o "type=local,dest=$XB_TMP/after" "$ctx"
[[ $after_rc == 0 ]] || xb_fail "build after SIGKILL failed: $after_err"
xb_assert_eq "built after" "$(cat "$XB_TMP/after/what.txt")" "build after SIGKILL"
xb_assert_contains "$after_err" "CACHED" "the cache survived the kill"

# --- output compression -------------------------------------------------------
"$X" build --progress quiet --no-cache --build-arg WHAT=zstd \
  -o "type=oci,dest=$XB_TMP/zstd.tar,compression=zstd,compression-level=3" "$ctx"
if command -v skopeo >/dev/null; then
  raw="$(skopeo inspect --raw "oci-archive:$XB_TMP/zstd.tar")"
  xb_assert_contains "$raw" "tar+zstd" "new layers are zstd-compressed"
  skopeo copy -q "oci-archive:$XB_TMP/zstd.tar" "dir:$XB_TMP/zstd-copy" ||
    xb_fail "skopeo could not verify the zstd image"
fi
xb_run badc "$X" build --progress quiet -o "type=oci,dest=$XB_TMP/x.tar,compression=lzma" "$ctx"
[[ $badc_rc != 0 ]] || xb_fail "an unknown compression was accepted"
xb_assert_contains "$badc_err" "lzma" "the error names the compression"
