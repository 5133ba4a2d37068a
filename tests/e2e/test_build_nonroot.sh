#!/usr/bin/env bash
# `docker xbuild build` on the local driver as an unprivileged user (nobody):
# a build with a RUN step fails before any step runs, saying that root is
# needed (rootless mode is not supported yet), exit 1; a build without RUN —
# including one whose only RUN is in a stage the target does not use — works.
source "$(dirname "$0")/lib/common.sh"
xb_require_plugin_binary
xb_require_root "switching to the nobody user"
xb_require_cmd setpriv util-linux
X="$XBUILD_BIN"

# Everything nobody needs lives in a directory it owns; $XB_TMP stays root's.
chmod 711 "$XB_TMP"
home="$XB_TMP/nobody"
mkdir -p "$home/ctx" "$home/config"
echo "hello" >"$home/ctx/a.txt"
printf 'FROM scratch\nCOPY a.txt /a.txt\n' >"$home/ctx/Dockerfile.norun"
printf 'FROM scratch\nCOPY a.txt /a.txt\nRUN ["/a.txt"]\n' >"$home/ctx/Dockerfile.run"
printf 'FROM scratch AS unused\nRUN ["/never"]\nFROM scratch\nCOPY a.txt /b.txt\n' \
  >"$home/ctx/Dockerfile.unused"
chown -R 65534:65534 "$home"
as_nobody() {
  setpriv --reuid=65534 --regid=65534 --clear-groups \
    env HOME="$home" DOCKER_CONFIG="$home/config" XBUILD_BUILDER=nobody "$@"
}
as_nobody "$X" create --name nobody --driver local --driver-opt "root=$home/state" >/dev/null

# --- with RUN: refused before building ----------------------------------------
xb_run run as_nobody "$X" build --progress plain -f "$home/ctx/Dockerfile.run" "$home/ctx"
xb_assert_eq 1 "$run_rc" "exit code of a RUN build as nobody"
xb_assert_contains "$run_err" 'this build has RUN steps ([3/3] RUN ["/a.txt"])'
xb_assert_contains "$run_err" "needs root"
xb_assert_contains "$run_err" "rootless mode is not supported yet"
# Before building: no step started (plain progress numbers each vertex "#N").
xb_assert_not_contains "$run_err" "#1 " "a step ran before the refusal"
xb_assert_not_contains "$run_err" "COPY a.txt" "a step ran before the refusal"

# --- without RUN: builds --------------------------------------------------------
xb_run norun as_nobody "$X" build --progress plain -f "$home/ctx/Dockerfile.norun" \
  -o "type=local,dest=$home/out" "$home/ctx"
[[ $norun_rc == 0 ]] || xb_fail "a build without RUN failed as nobody: $norun_err"
xb_assert_eq hello "$(cat "$home/out/a.txt")" "the exported file"

# A RUN the target does not depend on never runs, so it does not need root.
xb_run unused as_nobody "$X" build --progress plain -f "$home/ctx/Dockerfile.unused" \
  -o "type=local,dest=$home/out2" "$home/ctx"
[[ $unused_rc == 0 ]] || xb_fail "a build with a RUN only in an unused stage failed: $unused_err"
xb_assert_eq hello "$(cat "$home/out2/b.txt")" "the exported file"
