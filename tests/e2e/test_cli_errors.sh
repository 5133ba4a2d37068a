#!/usr/bin/env bash
# Unknown commands and flags fail with buildx-style messages that say where to
# look, both standalone and through the docker CLI; unbuilt commands say so.
source "$(dirname "$0")/lib/common.sh"
source "$XB_E2E_LIB/plugin.sh"
xb_require_plugin_binary

xb_run r "$XBUILD_BIN" frobnicate
[[ $r_rc -ne 0 ]] || xb_fail "an unknown command exited 0"
xb_assert_contains "$r_err" "'frobnicate' is not a docker-xbuild command" "unknown command"
xb_assert_contains "$r_err" "--help" "unknown command"

xb_run r "$XBUILD_BIN" biuld
[[ $r_rc -ne 0 ]] || xb_fail "a misspelled command exited 0"
xb_assert_contains "$r_err" "Did you mean this?" "misspelled command"
xb_assert_contains "$r_err" "build" "misspelled command"

xb_run r "$XBUILD_BIN" build --no-such-flag .
[[ $r_rc -ne 0 ]] || xb_fail "an unknown flag exited 0"
xb_assert_contains "$r_err" "unknown flag: --no-such-flag" "unknown flag"
xb_assert_contains "$r_err" "build --help" "unknown flag"

xb_run r "$XBUILD_BIN" imagetools frob
[[ $r_rc -ne 0 ]] || xb_fail "an unknown imagetools subcommand exited 0"
xb_assert_contains "$r_err" "docker-xbuild imagetools --help" "unknown imagetools subcommand"

# Through the docker CLI the messages name `docker xbuild`.
if command -v docker >/dev/null; then
  xb_install_plugin
  xb_run r docker xbuild frobnicate
  [[ $r_rc -ne 0 ]] || xb_fail "docker xbuild frobnicate exited 0"
  xb_assert_contains "$r_err" "'frobnicate' is not a docker xbuild command" "unknown command via docker"
  xb_run r docker xbuild ls --bogus
  [[ $r_rc -ne 0 ]] || xb_fail "docker xbuild ls --bogus exited 0"
  xb_assert_contains "$r_err" "unknown flag: --bogus" "unknown flag via docker"
  xb_assert_contains "$r_err" "docker xbuild ls --help" "unknown flag via docker"
fi

# A command whose work is not built yet must not pretend to succeed.
for cmd in "du" "prune -f" "stop"; do
  xb_run r "$XBUILD_BIN" $cmd
  if [[ $r_rc -eq 0 ]]; then
    [[ "$r_err$r_out" != *"not implemented"* ]] || xb_fail "'$cmd' says not implemented but exits 0"
  else
    [[ -n "$r_err" ]] || xb_fail "'$cmd' failed (exit $r_rc) without a message"
  fi
done
