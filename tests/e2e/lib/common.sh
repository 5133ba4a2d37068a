# shellcheck shell=bash
# Shared helper for end-to-end tests: source it first in every tests/e2e/test_*.sh.
#
#   source "$(dirname "$0")/lib/common.sh"
#
# It gives each test a private temp dir ($XB_TMP), a cleanup stack that runs on
# every exit (success, failure, Ctrl-C), the failing file:line when a command
# fails, and skip/assert helpers. Fixtures (registry.sh, dockerd.sh, qemu.sh,
# busybox.sh, plugin.sh) build on it. Guide: docs/dev/testing.md.
#
# Conventions, so that ctest and CI read results the same way:
#   exit 0   pass
#   exit 77  skip (ctest SKIP_RETURN_CODE) — only when a capability is really
#            missing on this machine; under CI=true a skip is a failure
#   other    failure
#
# XBUILD_E2E_KEEP=1 keeps $XB_TMP so a failing test's files can be inspected
# (services are stopped all the same).

set -Eeuo pipefail

XB_E2E_LIB="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
XB_TEST_NAME="$(basename "${0%.sh}")"
: "${XBUILD_SOURCE_DIR:=$(cd "$XB_E2E_LIB/../../.." && pwd)}"
: "${XBUILD_BUILD_DIR:=$XBUILD_SOURCE_DIR/build}"
: "${XBUILD_BIN:=$XBUILD_BUILD_DIR/docker-xbuild}"
export XBUILD_SOURCE_DIR XBUILD_BUILD_DIR XBUILD_BIN

# A short base path: unix socket paths (dockerd, containerd) must stay under
# 108 bytes, so a deep $TMPDIR would break the services under test.
XB_TMP="$(mktemp -d "${XBUILD_E2E_TMPDIR:-/tmp}/xb-${XB_TEST_NAME#test_}.XXXXXX")"
export XB_TMP

# The tests never talk to a Docker daemon, context or config the user already
# has: each one that needs a daemon starts its own (dockerd.sh) and points
# DOCKER_HOST at it.
export DOCKER_CONFIG="$XB_TMP/docker-config"
mkdir -p "$DOCKER_CONFIG"
unset DOCKER_HOST DOCKER_CONTEXT DOCKER_TLS_VERIFY DOCKER_CERT_PATH XBUILD_BUILDER BUILDX_BUILDER

XB_CLEANUPS=()
XB_FAILED=0

xb_log() { printf '[%s] %s\n' "$XB_TEST_NAME" "$*" >&2; }

# Register a command to run at exit; they run last-registered first.
xb_on_exit() { XB_CLEANUPS+=("$*"); }

xb__run_cleanups() {
  local rc=$?
  trap - EXIT INT TERM ERR
  set +e
  [[ $rc -ne 0 && $rc -ne 77 ]] && XB_FAILED=1
  # We clean up now; the reaper must not race us.
  [[ -n "${XB_REAPER_PID:-}" ]] && kill -KILL "$XB_REAPER_PID" 2>/dev/null
  local i
  for ((i = ${#XB_CLEANUPS[@]} - 1; i >= 0; i--)); do
    eval "${XB_CLEANUPS[$i]}"
  done
  xb__kill_strays "$XB_TMP"
  if [[ "${XBUILD_E2E_KEEP:-0}" == 1 ]]; then
    xb_log "kept $XB_TMP (XBUILD_E2E_KEEP=1)"
  else
    xb__remove_tree "$XB_TMP"
  fi
  if [[ $rc -eq 0 ]]; then
    xb_log "PASS"
  elif [[ $rc -eq 77 ]]; then
    :
  else
    xb_log "FAIL (exit $rc)"
  fi
  exit "$rc"
}

source "$XB_E2E_LIB/common_cleanup.sh"

xb__on_error() {
  local rc=$? line="${BASH_LINENO[0]}" file="${BASH_SOURCE[1]:-$0}"
  xb_log "command failed (exit $rc) at ${file#"$XBUILD_SOURCE_DIR"/}:$line: $BASH_COMMAND"
}

trap xb__run_cleanups EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap xb__on_error ERR

# If this shell dies without running its EXIT trap (SIGKILL, e.g. from a test
# runner's timeout), a reaper in its own session stops the spawned services
# and removes the temp dir. Bash runs traps only between foreground commands,
# so long waits in tests should be `cmd & wait $!` to stay interruptible.
xb__start_reaper() {
  XBUILD_E2E_KEEP="${XBUILD_E2E_KEEP:-0}" setsid bash -c '
    parent="$1" dir="$2" lib="$3"
    trap "" INT HUP
    while kill -0 "$parent" 2>/dev/null; do sleep 1; done
    [[ -d "$dir" ]] || exit 0
    if [[ -f "$dir/.spawned" ]]; then
      while read -r pid; do kill -TERM -- "-$pid" 2>/dev/null; done <"$dir/.spawned"
      for _ in $(seq 1 50); do
        alive=0
        while read -r pid; do kill -0 "$pid" 2>/dev/null && alive=1; done <"$dir/.spawned"
        [[ $alive == 0 ]] && break
        sleep 0.2
      done
      while read -r pid; do kill -KILL -- "-$pid" 2>/dev/null; done <"$dir/.spawned"
    fi
    source "$lib/common_cleanup.sh"
    xb__kill_strays "$dir"
    [[ "$XBUILD_E2E_KEEP" == 1 ]] || xb__remove_tree "$dir"
  ' xb-reaper "$$" "$XB_TMP" "$XB_E2E_LIB" </dev/null >/dev/null 2>&1 &
  XB_REAPER_PID=$!
  disown "$XB_REAPER_PID" # no job-status noise when cleanup kills it
}
xb__start_reaper

xb_fail() {
  local caller="${BASH_SOURCE[1]:-$0}:${BASH_LINENO[0]}"
  xb_log "FAILED at ${caller#"$XBUILD_SOURCE_DIR"/}: $*"
  trap - ERR
  exit 1
}

# Skip because the machine lacks something; say exactly what and how to get it.
xb_skip() {
  if [[ "${CI:-}" == true ]]; then
    xb_log "would skip, but CI=true makes a skip a failure: $*"
    trap - ERR
    exit 1
  fi
  xb_log "SKIP: $*"
  trap - ERR
  exit 77
}

# xb_require_cmd COMMAND DEBIAN_PACKAGE
xb_require_cmd() {
  command -v "$1" >/dev/null 2>&1 ||
    xb_skip "'$1' is not installed: apt-get install $2 (or run packaging/setup.sh --deps-only)"
}

xb_require_root() {
  [[ $(id -u) -eq 0 ]] || xb_skip "$* needs root; run the tests as root (sudo tests/run.sh)"
}

xb_require_plugin_binary() {
  [[ -x "$XBUILD_BIN" ]] ||
    xb_fail "plugin binary not found at $XBUILD_BIN: build it (ninja -C $XBUILD_BUILD_DIR docker-xbuild)"
}

# A `local` builder whose state lives in this test's temp dir, selected with
# XBUILD_BUILDER rather than `use`: the current builder is kept per docker
# endpoint, and starting a private dockerd changes the endpoint.
xb_private_builder() { # NAME [STATE_DIR]
  "$XBUILD_BIN" create --name "$1" --driver local --driver-opt "root=${2:-$XB_TMP/state}" >/dev/null
  export XBUILD_BUILDER="$1"
}

# --- assertions ------------------------------------------------------------

xb_assert_eq() { # EXPECTED ACTUAL [WHAT]
  [[ "$1" == "$2" ]] || xb_fail "${3:-value}: expected '$1', got '$2'"
}

xb_assert_contains() { # HAYSTACK NEEDLE [WHAT]
  [[ "$1" == *"$2"* ]] || xb_fail "${3:-output} does not contain '$2'; it was:"$'\n'"$1"
}

xb_assert_not_contains() { # HAYSTACK NEEDLE [WHAT]
  [[ "$1" != *"$2"* ]] || xb_fail "${3:-output} unexpectedly contains '$2'; it was:"$'\n'"$1"
}

# xb_run VAR_PREFIX CMD... : run CMD, capturing stdout, stderr and exit code in
# ${PREFIX}_out, ${PREFIX}_err, ${PREFIX}_rc without tripping `set -e`.
xb_run() {
  local prefix="$1"
  shift
  local out="$XB_TMP/.run.out" err="$XB_TMP/.run.err" rc=0
  "$@" >"$out" 2>"$err" || rc=$?
  printf -v "${prefix}_out" '%s' "$(cat "$out")"
  printf -v "${prefix}_err" '%s' "$(cat "$err")"
  printf -v "${prefix}_rc" '%s' "$rc"
}

# xb_wait_for SECONDS DESCRIPTION CMD... : poll CMD every 0.2 s until it succeeds.
xb_wait_for() {
  local timeout="$1" what="$2"
  shift 2
  local deadline=$((SECONDS + timeout))
  until "$@" >/dev/null 2>&1; do
    if ((SECONDS >= deadline)); then
      xb_log "timed out after ${timeout}s waiting for $what"
      return 1
    fi
    sleep 0.2
  done
}

# --- processes ---------------------------------------------------------------

# xb_spawn NAME LOGFILE CMD... : start CMD in the background in its own process
# group, stop the whole group at exit. Sets XB_SPAWNED_PID.
xb_spawn() {
  local name="$1" log="$2"
  shift 2
  setsid "$@" >"$log" 2>&1 </dev/null &
  XB_SPAWNED_PID=$!
  echo "$XB_SPAWNED_PID" >>"$XB_TMP/.spawned"
  xb_on_exit "xb_stop_process $XB_SPAWNED_PID '$name' '$log'"
}

# Stop a spawned process group: TERM, up to 20 s grace, then KILL. On a failed
# test, show the end of its log, which is usually where the reason is.
xb_stop_process() {
  local pid="$1" name="$2" log="${3:-}"
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null
    local i
    for ((i = 0; i < 100; i++)); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.2
    done
    if kill -0 "$pid" 2>/dev/null; then
      xb_log "$name (pid $pid) ignored SIGTERM for 20s; killing it"
      kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null
    fi
  fi
  wait "$pid" 2>/dev/null || true
  if [[ "$XB_FAILED" == 1 && -n "$log" && -s "$log" ]]; then
    xb_log "last lines of the $name log ($log):"
    tail -n 25 "$log" | sed 's/^/    /' >&2
  fi
}

# A TCP port on 127.0.0.1 that is free right now. A service started on it may
# still lose a race, so fixtures retry their start on another port.
xb_free_port() {
  python3 - <<'EOF'
import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])
s.close()
EOF
}

# HTTP status of a URL (curl args may follow), "000" when nothing answered.
xb_http_status() {
  local url="$1"
  shift
  curl -s -o /dev/null -w '%{http_code}' --max-time 10 "$@" "$url" || true
}
