#!/usr/bin/env bash
# Every fixture cleans up its processes and temp dirs, also when the test
# using it fails or is killed (ctest's timeout sends SIGTERM).
source "$(dirname "$0")/lib/common.sh"
xb_require_cmd docker-registry docker-registry

inner="$XB_TMP/inner_test.sh"
cat >"$inner" <<'INNER'
source "$XB_E2E_LIB/common.sh"
source "$XB_E2E_LIB/registry.sh"
source "$XB_E2E_LIB/dockerd.sh"
report="$1" mode="$2"
echo "tmp $XB_TMP" >>"$report"
xb_registry_start --token "u:p"
pgrep -f "docker-registry serve $XB_TMP/" | sed 's/^/pid /' >>"$report"
pgrep -f "token_server.py.*$XB_TMP/" | sed 's/^/pid /' >>"$report"
if [[ $(id -u) -eq 0 ]]; then
  xb_dockerd_start
  echo "pid $(cat "$XB_TMP/dockerd/dockerd.pid")" >>"$report"
  pgrep -f "$XB_TMP/dockerd/exec" | sed 's/^/pid /' >>"$report"
fi
echo started >>"$report"
case "$mode" in
  fail) false ;;            # a failing command under set -e
  assert) xb_assert_eq 1 2 "a deliberately failing assertion" ;;
  wait) sleep 300 & wait $! ;; # killed from outside
esac
INNER

check_clean() { # REPORT
  local report="$1" dir pid
  dir="$(awk '$1 == "tmp" {print $2}' "$report")"
  [[ -n "$dir" ]] || xb_fail "the inner test reported no temp dir"
  [[ ! -e "$dir" ]] || xb_fail "temp dir $dir survived the failed test"
  grep -q '^pid ' "$report" || xb_fail "the inner test reported no service pid"
  for pid in $(awk '$1 == "pid" {print $2}' "$report"); do
    ! kill -0 "$pid" 2>/dev/null || xb_fail "process $pid ($(tr '\0' ' ' </proc/"$pid"/cmdline)) survived the failed test"
  done
  ! grep -q " $dir" /proc/self/mounts || xb_fail "mounts under $dir survived the failed test"
}

for mode in fail assert; do
  report="$XB_TMP/report-$mode"
  rc=0
  XB_E2E_LIB="$XB_E2E_LIB" bash "$inner" "$report" "$mode" >"$XB_TMP/inner-$mode.log" 2>&1 || rc=$?
  [[ $rc -ne 0 && $rc -ne 77 ]] || xb_fail "inner test in mode $mode exited $rc; expected a failure"
  grep -q '^started$' "$report" || xb_fail "inner test ($mode) did not start its services: $(tail -n 20 "$XB_TMP/inner-$mode.log")"
  check_clean "$report"
  xb_assert_contains "$(cat "$XB_TMP/inner-$mode.log")" "FAIL" "inner test log ($mode)"
done

# Killed in the middle of its work: SIGTERM runs the EXIT trap; SIGKILL
# (a runner's hard timeout) leaves it to the reaper.
for sig in TERM KILL; do
  report="$XB_TMP/report-$sig"
  XB_E2E_LIB="$XB_E2E_LIB" bash "$inner" "$report" wait >"$XB_TMP/inner-$sig.log" 2>&1 &
  inner_pid=$!
  xb_wait_for 120 "the inner test to start its services" grep -q '^started$' "$report" ||
    xb_fail "inner test did not start: $(tail -n 20 "$XB_TMP/inner-$sig.log")"
  kill "-$sig" "$inner_pid"
  rc=0
  { wait "$inner_pid"; } 2>/dev/null || rc=$?
  [[ $rc -ne 0 ]] || xb_fail "the inner test killed with SIG$sig exited 0"
  if [[ $sig == KILL ]]; then
    dir="$(awk '$1 == "tmp" {print $2}' "$report")"
    xb_wait_for 60 "the reaper to remove $dir" test ! -e "$dir" || true
  fi
  check_clean "$report"
done
