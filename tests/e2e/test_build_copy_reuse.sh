#!/usr/bin/env bash
# Rebuilding a COPY of a large context after a few files changed: unchanged
# files are linked from the previous result (engine/build/copy_reuse.hpp)
# and context digests are remembered by stat signature
# (engine/build/context_digests.hpp). What must hold:
#  - the rebuilt layer is exactly the layer a fresh state builds from the same
#    context (same diff id), so linking never changes a layer's content;
#  - a file rewritten with the same size and its old mtime put back is still
#    seen as changed (ctime is part of the signature): the COPY re-runs and
#    the new bytes are in the image;
#  - only the changed files are written again (the debug log counts links).
source "$(dirname "$0")/lib/common.sh"
source "$XB_E2E_LIB/registry.sh"
source "$XBUILD_SOURCE_DIR/tests/e2e/tools/seed_images.sh"
xb_require_plugin_binary
xb_require_root "overlay snapshots"

xb_registry_start --name reuse
REG="$XB_REGISTRY_HOST"
X="$XBUILD_BIN"
xb_seed_busybox "$REG/base/busybox:latest" amd64 >/dev/null
"$X" create --name reuse-a --driver local --driver-opt "root=$XB_TMP/state-a" >/dev/null
"$X" create --name reuse-b --driver local --driver-opt "root=$XB_TMP/state-b" >/dev/null

ctx="$XB_TMP/ctx"
files=300
for i in $(seq 1 $files); do
  mkdir -p "$ctx/tree/d$((i % 7))"
  echo "file $i" >"$ctx/tree/d$((i % 7))/f$i.txt"
done
chmod 0600 "$ctx/tree/d1/f1.txt"
printf 'FROM %s\nCOPY tree /tree\n' "$REG/base/busybox:latest" >"$ctx/Dockerfile"
# Signatures younger than two seconds are not trusted later: let them age.
sleep 3

# diff id of the image's last layer (the COPY) in an OCI layout directory.
copy_diff_id() {
  python3 - "$1" <<'PY'
import json, sys, os
root = sys.argv[1]
def blob(d):
    return json.load(open(os.path.join(root, "blobs", *d.split(":"))))
m = blob(json.load(open(os.path.join(root, "index.json")))["manifests"][0]["digest"])
print(blob(m["config"]["digest"])["rootfs"]["diff_ids"][-1])
PY
}
build() { # BUILDER OUT [extra args]
  XBUILD_BUILDER="$1" "$X" --debug build --progress plain -o "type=oci,dest=$2,tar=false" \
    "${@:3}" "$ctx" 2>&1
}

out1="$(build reuse-a "$XB_TMP/oci1")" || xb_fail "first build failed: $out1"
xb_assert_not_contains "$out1" "unchanged files linked" "the first build links nothing"

# One file gets new content; another gets the same number of bytes with its
# old mtime restored, which only its ctime gives away.
echo "changed" >>"$ctx/tree/d3/f3.txt"
old_mtime="$(stat -c %Y "$ctx/tree/d2/f2.txt")"
printf 'FILE 2\n' >"$ctx/tree/d2/f2.txt"
touch -d "@$old_mtime" "$ctx/tree/d2/f2.txt"

out2="$(build reuse-a "$XB_TMP/oci2")" || xb_fail "rebuild failed: $out2"
xb_assert_contains "$out2" "$((files - 2)) unchanged files linked" "all but the two changed files linked"
out3="$(build reuse-b "$XB_TMP/oci3")" || xb_fail "fresh-state build failed: $out3"

d1="$(copy_diff_id "$XB_TMP/oci1")"
d2="$(copy_diff_id "$XB_TMP/oci2")"
d3="$(copy_diff_id "$XB_TMP/oci3")"
[[ "$d1" != "$d2" ]] || xb_fail "the rebuilt COPY layer did not change ($d1)"
xb_assert_eq "$d3" "$d2" "rebuilt COPY layer = the layer a fresh state builds"

# The same-size, same-mtime edit is in the image.
XBUILD_BUILDER=reuse-a "$X" build --progress quiet -o "type=local,dest=$XB_TMP/tree2" "$ctx" 2>/dev/null
xb_assert_eq "FILE 2" "$(cat "$XB_TMP/tree2/tree/d2/f2.txt")" "rewritten file content"
xb_assert_eq "600" "$(stat -c %a "$XB_TMP/tree2/tree/d1/f1.txt")" "mode kept through a link"

# Nothing changed: fully cached, nothing copied or linked.
out4="$(build reuse-a "$XB_TMP/oci4")" || xb_fail "cached build failed: $out4"
xb_assert_contains "$out4" "CACHED" "the unchanged rebuild is cached"
xb_assert_not_contains "$out4" "unchanged files linked" "a cached COPY does not run"
# prune takes the reuse records with the snapshots they point to.
[[ -n "$(ls -A "$XB_TMP/state-a/copy-reuse")" ]] || xb_fail "no COPY reuse record was written"
XBUILD_BUILDER=reuse-a "$X" prune -af >/dev/null
xb_assert_eq "" "$(ls -A "$XB_TMP/state-a/copy-reuse")" "reuse records left after prune --all"
xb_log "PASS"
