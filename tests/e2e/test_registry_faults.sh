#!/usr/bin/env bash
# A registry behind a proxy that fails 30% of requests with 500/503 (half of
# them after the registry did the work) and resets 5% of connections (some
# mid-upload, some mid-download) still gets a complete push that skopeo
# verifies; a registry that is down or always failing gives a clear error
# after bounded retries.
source "$(dirname "$0")/lib/common.sh"
source "$XB_E2E_LIB/registry.sh"
source "$XBUILD_SOURCE_DIR/tests/e2e/tools/seed_images.sh"
xb_require_plugin_binary
xb_require_cmd skopeo skopeo
X="$XBUILD_BIN"
TOOLS="$XBUILD_SOURCE_DIR/tests/e2e/tools"

start_proxy() { # NAME UPSTREAM_URL ERROR_RATE RESET_RATE SEED ; sets PROXY_HOST, PROXY_STATS
  local name="$1" dir="$XB_TMP/proxy-$1"
  mkdir -p "$dir"
  xb_spawn "fault proxy $name" "$dir/log" python3 "$TOOLS/fault_proxy.py" --upstream "$2" \
    --error-rate "$3" --reset-rate "$4" --seed "$5" --port-file "$dir/port" --stats-file "$dir/stats.json"
  xb_wait_for 10 "the fault proxy" test -s "$dir/port" || xb_fail "fault proxy did not start"
  PROXY_HOST="127.0.0.1:$(cat "$dir/port")"
  PROXY_STATS="$dir/stats.json"
}

xb_registry_start --name src
SRC="$XB_REGISTRY_HOST"
# Three 1 MiB layers per platform: big enough to be cut mid-transfer.
xb_seed_image "$SRC/app:amd64" amd64 --layers 3 --layer-size 1048576 >/dev/null
xb_seed_image "$SRC/app:arm64" arm64 --layers 3 --layer-size 1048576 >/dev/null

xb_registry_start --name dst
DST="$XB_REGISTRY_HOST"
start_proxy flaky "$XB_REGISTRY_URL" 0.3 0.05 "${XBUILD_FAULT_SEED:-7}"
FLAKY="$PROXY_HOST"

"$X" imagetools create --dry-run -t "$FLAKY/app:1" "$SRC/app:amd64" "$SRC/app:arm64" >"$XB_TMP/expected.json"
start=$SECONDS
xb_run push "$X" imagetools create -t "$FLAKY/app:1" "$SRC/app:amd64" "$SRC/app:arm64"
[[ $push_rc == 0 ]] || xb_fail "push through the flaky proxy failed: $push_err"
xb_log "push through faults took $((SECONDS - start))s; proxy stats: $(cat "$PROXY_STATS")"
python3 - "$PROXY_STATS" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
assert s["errors"] + s["resets"] >= 3, f"too few faults injected to prove anything: {s}"
PY

# Straight from the registry (no proxy): exact bytes, every digest verified.
skopeo inspect --raw --tls-verify=false "docker://$DST/app:1" >"$XB_TMP/served.json"
cmp "$XB_TMP/served.json" <(head -c -1 "$XB_TMP/expected.json") || xb_fail "pushed index differs"
skopeo copy -q --all --src-tls-verify=false "docker://$DST/app:1" "oci:$XB_TMP/copy:1"

# Pulls through the faults verify digests and come out identical.
for i in 1 2 3; do
  "$X" imagetools inspect --raw "$FLAKY/app:1" | cmp - "$XB_TMP/served.json" ||
    xb_fail "inspect --raw through the proxy differs (round $i)"
done
xb_assert_contains "$("$X" imagetools inspect --format '{{json .Image}}' "$FLAKY/app:1")" '"linux/arm64"'

# A registry that always fails: bounded retries, then an error naming it.
start_proxy broken "$XB_REGISTRY_URL" 1.0 0 1
start=$SECONDS
xb_run broken "$X" imagetools inspect "$PROXY_HOST/app:1"
took=$((SECONDS - start))
xb_assert_eq 1 "$broken_rc" "exit code against an always-failing registry"
xb_assert_contains "$broken_err" "$PROXY_HOST"
xb_assert_contains "$broken_err" "HTTP 50"
((took <= 75)) || xb_fail "gave up only after ${took}s"
xb_log "always failing: ${took}s → $broken_err"

# A registry that is down: nothing listens on the port.
down="127.0.0.1:$(xb_free_port)"
start=$SECONDS
xb_run down "$X" imagetools create -t "$down/app:1" "$SRC/app:amd64"
took=$((SECONDS - start))
xb_assert_eq 1 "$down_rc" "exit code against a registry that is down"
xb_assert_contains "$down_err" "cannot reach registry $down"
((took <= 75)) || xb_fail "gave up only after ${took}s"
xb_log "down: ${took}s → $down_err"
