#!/usr/bin/env bash
# `du` and `prune` on a local builder's state:
#  - du's sizes agree with coreutils `du` on the snapshot and blob directories;
#  - prune refuses to run unattended without -f;
#  - --filter until=1h keeps a fresh cache; prune removes the build's layers
#    and a rebuild runs the RUN again and gives the same files;
#  - a prune during a running build keeps what that build uses, and the
#    build succeeds; once it is over, prune --all empties the state;
#  - base-image layers (here from an OCI layout) survive prune and go with
#    prune --all; a build after either works.
# The base is the busybox fixture added from a local tar (no registry).
source "$(dirname "$0")/lib/common.sh"
source "$XB_E2E_LIB/busybox.sh"
xb_require_plugin_binary
xb_require_root "the RUN sandbox"
X="$XBUILD_BIN"
xb_busybox_rootfs amd64
state="$XB_TMP/state"

ctx="$XB_TMP/ctx"
mkdir -p "$ctx"
cp "$XB_BUSYBOX_TAR" "$ctx/rootfs.tar"
cat >"$ctx/Dockerfile" <<'DOCKERFILE'
FROM scratch
ADD rootfs.tar /
RUN head -c 2000000 /dev/zero | tr '\0' 'z' > /big && echo made > /made.txt
DOCKERFILE
cat >"$ctx/Dockerfile.slow" <<'DOCKERFILE'
FROM scratch
ADD rootfs.tar /
RUN echo started && sleep 4 && echo slow > /slow.txt
DOCKERFILE

"$X" create --name gc --driver local --driver-opt "root=$state" >/dev/null
export XBUILD_BUILDER=gc
"$X" build --progress quiet -o "type=local,dest=$XB_TMP/out1" "$ctx"
xb_assert_eq "made" "$(cat "$XB_TMP/out1/made.txt")" "first build"

# --- du ----------------------------------------------------------------------
du_out="$("$X" du)"
xb_assert_contains "$(head -1 <<<"$du_out")" "ID" "du header"
for col in RECLAIMABLE SIZE "LAST ACCESSED"; do
  xb_assert_contains "$(head -1 <<<"$du_out")" "$col" "du header"
done
for line in Shared: Private: Reclaimable: Total:; do
  xb_assert_contains "$du_out" "$line" "du summary"
done
"$X" du --format json >"$XB_TMP/du.json"
ours="$(python3 -c 'import json,sys; print(sum(i["Size"] for i in json.load(open(sys.argv[1]))))' "$XB_TMP/du.json")"
regular="$(python3 -c 'import json,sys; print(sum(1 for i in json.load(open(sys.argv[1])) if i["Type"]=="regular"))' "$XB_TMP/du.json")"
[[ $regular -ge 2 ]] || xb_fail "du lists $regular build layers, expected the ADD and the RUN"
fs_dirs=()
for d in "$state"/snapshots/snapshots/*; do
  [[ -f $d/committed ]] && fs_dirs+=("$d/fs")
done
theirs="$(du -scB1 "${fs_dirs[@]}" "$state"/content/blobs/sha256/* | tail -1 | cut -f1)"
python3 - "$ours" "$theirs" <<'PY' || xb_fail "du total $ours bytes is far from coreutils du's $theirs"
import sys
ours, theirs = int(sys.argv[1]), int(sys.argv[2])
sys.exit(0 if abs(ours - theirs) <= 65536 + theirs // 50 and ours > 2_000_000 else 1)
PY
verbose="$("$X" du --verbose)"
xb_assert_contains "$verbose" "Usage count:" "du --verbose"
xb_assert_contains "$verbose" "Type:		regular" "du --verbose"

# --- confirmation and filters ------------------------------------------------
xb_run noforce "$X" prune </dev/null
[[ $noforce_rc != 0 ]] || xb_fail "prune without -f on a non-terminal stdin must refuse"
xb_assert_contains "$noforce_err" "-f" "the refusal tells how to prune unattended"
if command -v script >/dev/null; then
  # On a terminal prune asks buildx's question; "n" keeps everything.
  before="$(find "$state/snapshots/names" -mindepth 1 | wc -l)"
  asked="$(printf 'n\n' | script -qec "$X prune" /dev/null)"
  xb_assert_contains "$asked" "WARNING! This will remove all dangling build cache. Are you sure you want to continue? [y/N]" "the prompt"
  xb_assert_not_contains "$asked" "Total:" "prune answered no"
  xb_assert_eq "$before" "$(find "$state/snapshots/names" -mindepth 1 | wc -l)" "snapshots after answering no"
else
  xb_log "util-linux script(1) missing: the interactive prompt is not tested"
fi
xb_run fresh "$X" prune -f --filter until=1h
[[ $fresh_rc == 0 ]] || xb_fail "prune --filter until=1h failed: $fresh_err"
xb_assert_contains "$fresh_out" "Total:	0B" "until=1h right after a build"
xb_run badfilter "$X" prune -f --filter label=x
[[ $badfilter_rc != 0 ]] || xb_fail "an unknown filter must be an error"

# --- prune, then rebuild -----------------------------------------------------
xb_run pruned "$X" prune -f --verbose
[[ $pruned_rc == 0 ]] || xb_fail "prune -f failed: $pruned_err"
xb_assert_contains "$pruned_out" "Total:" "prune output"
xb_assert_contains "$pruned_out" "Type:		regular" "prune --verbose lists the removed layers"
xb_assert_not_contains "$pruned_out" "Total:	0B" "prune after a build reclaims something"
left="$(find "$state/snapshots/names" -mindepth 1 | wc -l)"
xb_assert_eq 0 "$left" "snapshots left after prune"
xb_run rebuild "$X" build --progress plain -o "type=local,dest=$XB_TMP/out2" "$ctx"
[[ $rebuild_rc == 0 ]] || xb_fail "build after prune failed: $rebuild_err"
xb_assert_not_contains "$rebuild_err" "CACHED" "the rebuild after prune"
xb_assert_eq "made" "$(cat "$XB_TMP/out2/made.txt")" "rebuild after prune"
cmp "$XB_TMP/out1/big" "$XB_TMP/out2/big" || xb_fail "the rebuilt /big differs"

# --- prune while a build runs ------------------------------------------------
"$X" build --progress plain -f "$ctx/Dockerfile.slow" -o "type=local,dest=$XB_TMP/slow" "$ctx" \
  >"$XB_TMP/slow.log" 2>&1 &
slow=$!
xb_wait_for 60 "the slow RUN to start" grep -q "started" "$XB_TMP/slow.log"
xb_run during "$X" prune -af
[[ $during_rc == 0 ]] || xb_fail "prune during a build failed: $during_err"
xb_assert_contains "$during_err" "other process" "prune says a build is running"
wait "$slow" || xb_fail "the build running during prune failed: $(tail -5 "$XB_TMP/slow.log")"
xb_assert_eq "slow" "$(cat "$XB_TMP/slow/slow.txt")" "build running during prune"
xb_assert_contains "$(cat "$XB_TMP/slow.log")" "CACHED" "the running build reused the ADD layer"

# --- prune --all empties the state -------------------------------------------
xb_run all "$X" prune -af
[[ $all_rc == 0 ]] || xb_fail "prune -af failed: $all_err"
xb_assert_eq 0 "$(find "$state/snapshots/names" -mindepth 1 | wc -l)" "snapshots after prune -a"
xb_assert_eq 0 "$(find "$state/content/blobs" -type f | wc -l)" "blobs after prune -a"
xb_assert_eq 0 "$(find "$state/layers" -type f | wc -l)" "layer records after prune -a"
xb_assert_contains "$("$X" du)" "Total:		0B" "du after prune -a"
"$X" build --progress quiet -o "type=local,dest=$XB_TMP/out3" "$ctx"
xb_assert_eq "made" "$(cat "$XB_TMP/out3/made.txt")" "build after prune -a"

# --- base-image layers: kept without --all, removed with it ------------------
"$X" build --progress quiet -o "type=oci,dest=$XB_TMP/base-layout,tar=false" "$ctx"
printf 'FROM base\nRUN echo child > /child.txt\n' >"$ctx/Dockerfile.child"
if command -v script >/dev/null; then
  asked="$(printf 'y\n' | script -qec "$X prune -a" /dev/null)"
  xb_assert_contains "$asked" "WARNING! This will remove all build cache." "the prompt of prune -a"
  xb_assert_contains "$asked" "Total:" "prune -a answered yes"
fi
"$X" prune -af >/dev/null
xb_assert_eq 0 "$(find "$state/snapshots/names" -mindepth 1 | wc -l)" "snapshots after prune -a"
child_build() {
  "$X" build --progress quiet --build-context "base=oci-layout://$XB_TMP/base-layout" \
    -f "$ctx/Dockerfile.child" -o "type=local,dest=$XB_TMP/$1" "$ctx"
  xb_assert_eq "child" "$(cat "$XB_TMP/$1/child.txt")" "child build $1"
  xb_assert_eq "made" "$(cat "$XB_TMP/$1/made.txt")" "base content in child build $1"
}
count_type() { # TYPE: records of that type in du --format json
  "$X" du --format json |
    python3 -c 'import json,sys; print(sum(1 for i in json.load(sys.stdin) if i["Type"]==sys.argv[1]))' "$1"
}
child_build child1
images="$(count_type source.image)"
xb_log "the child build extracted $images base-image layers"
[[ $images -ge 2 ]] || xb_fail "du lists $images base-image layers, expected the base's two"
[[ $(count_type regular) -ge 1 ]] || xb_fail "du lists no layer for the child's RUN"
"$X" prune -f >/dev/null
xb_assert_eq "$images" "$(count_type source.image)" "base-image layers after prune without --all"
xb_assert_eq 0 "$(count_type regular)" "build layers after prune"
child_build child2
"$X" prune -af >/dev/null
xb_assert_eq 0 "$(count_type source.image)" "base-image layers after prune --all"
xb_assert_eq 0 "$(find "$state/content/blobs" -type f | wc -l)" "blobs after prune --all"
child_build child3
