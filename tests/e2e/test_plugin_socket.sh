#!/usr/bin/env bash
# DOCKER_CLI_PLUGIN_SOCKET: the plugin connects to the socket the CLI opened
# and, when the CLI closes it, cancels its work and exits non-zero. The test
# plays the CLI's part with an abstract unix socket of its own.
source "$(dirname "$0")/lib/common.sh"
xb_require_cmd python3 python3
xb_require_plugin_binary

addr="@xbuild-e2e-$$-$RANDOM"
# The "CLI": listen, note the connection, hold it until told to close.
xb_spawn socket-peer "$XB_TMP/peer.log" python3 -c '
import os, socket, sys, time
addr, state = sys.argv[1], sys.argv[2]
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.bind("\0" + addr[1:])
s.listen(1)
open(state + ".listening", "w").close()
conn, _ = s.accept()
open(state + ".connected", "w").close()
while not os.path.exists(state + ".close"):
    time.sleep(0.05)
conn.close()
open(state + ".closed", "w").close()
time.sleep(60)
' "$addr" "$XB_TMP/peer"
xb_wait_for 10 "the socket peer to listen" test -f "$XB_TMP/peer.listening"

# `build -` waits for its input on stdin, which we keep open and empty, so
# the plugin stays busy until something cancels it.
mkfifo "$XB_TMP/stdin"
exec {hold}<>"$XB_TMP/stdin"
DOCKER_CLI_PLUGIN_SOCKET="$addr" "$XBUILD_BIN" build - <"$XB_TMP/stdin" >"$XB_TMP/plugin.out" 2>"$XB_TMP/plugin.err" &
plugin=$!
xb_on_exit "kill -KILL $plugin 2>/dev/null; exec {hold}>&-"

xb_wait_for 10 "the plugin to connect to $addr" test -f "$XB_TMP/peer.connected" ||
  xb_fail "the plugin never connected to DOCKER_CLI_PLUGIN_SOCKET=$addr: $(cat "$XB_TMP/plugin.err")"
sleep 1
kill -0 "$plugin" 2>/dev/null ||
  xb_fail "the plugin exited while the socket was still open: $(cat "$XB_TMP/plugin.err")"

start=$SECONDS
touch "$XB_TMP/peer.close"
rc=0
for _ in $(seq 1 75); do
  kill -0 "$plugin" 2>/dev/null || break
  sleep 0.2
done
if kill -0 "$plugin" 2>/dev/null; then
  xb_fail "the plugin still runs 15s after the CLI closed its socket"
fi
wait "$plugin" || rc=$?
xb_log "plugin exited with $rc $((SECONDS - start))s after the socket closed"
[[ $rc -ne 0 ]] || xb_fail "the plugin exited 0 after being cancelled; it must fail"
xb_assert_contains "$(cat "$XB_TMP/plugin.err")" "cancel" "the plugin's error output"

# Without the variable set, the same command is not disturbed by any socket.
"$XBUILD_BIN" build - </dev/null >/dev/null 2>"$XB_TMP/plain.err" || true
xb_assert_not_contains "$(cat "$XB_TMP/plain.err")" "plugin socket" "stderr without DOCKER_CLI_PLUGIN_SOCKET"
