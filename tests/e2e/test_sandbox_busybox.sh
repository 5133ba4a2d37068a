#!/usr/bin/env bash
# The RUN sandbox (engine/exec) on the harness's Debian busybox root
# filesystems: for linux/amd64 natively and linux/arm64 through QEMU, a
# process in the sandbox reports the right `uname -m`, is PID 1 of a tiny
# process tree, has the hostname buildkitsandbox and cannot read a marker
# file placed on the host outside its rootfs.
#
# There is no CLI for the sandbox alone (the solver will drive it), so this
# runs the sandbox through the engine unit-test binary's hidden
# [e2e-sandbox] case, against the real fixtures.
source "$(dirname "$0")/lib/common.sh"
source "$XB_E2E_LIB/qemu.sh"
source "$XB_E2E_LIB/busybox.sh"

xb_require_root
unit="$XBUILD_BUILD_DIR/tests/xbuild_unit_engine"
[[ -x "$unit" ]] || xb_fail "$unit is missing: build the xbuild_unit_engine target"

marker="$XB_TMP/host-marker"
echo "host-secret-$$" >"$marker"

run_in() { # DEBIAN_ARCH EXPECTED_MACHINE
  local arch="$1" machine="$2" root="$XB_TMP/rootfs-$1"
  xb_busybox_rootfs "$arch"
  # A private copy: the sandbox may create the working directory.
  cp -a "$XB_BUSYBOX_ROOTFS" "$root"
  XBUILD_TEST_ROOTFS="$root" XBUILD_TEST_EXPECT_MACHINE="$machine" XBUILD_TEST_MARKER="$marker" \
    "$unit" "[e2e-sandbox]" >"$XB_TMP/out-$arch.txt" 2>&1 ||
    { cat "$XB_TMP/out-$arch.txt" >&2; xb_fail "sandbox checks failed for $arch"; }
  xb_assert_contains "$(cat "$XB_TMP/out-$arch.txt")" "All tests passed" "sandbox on $arch"
  # Nothing the sandbox mounted may stay behind in the rootfs.
  for p in proc dev sys etc/hosts etc/resolv.conf etc/hostname; do
    if [[ -e "$root/$p" && ! -e "$XB_BUSYBOX_ROOTFS/$p" ]]; then
      xb_fail "$arch: the sandbox left $p in the rootfs"
    fi
  done
  xb_log "$arch: ok"
}

case "$(uname -m)" in
  x86_64)
    run_in amd64 x86_64
    xb_qemu_ensure aarch64
    run_in arm64 aarch64
    ;;
  aarch64)
    run_in arm64 aarch64
    xb_qemu_ensure x86_64
    run_in amd64 x86_64
    ;;
  *) xb_skip "no busybox fixture for host $(uname -m)" ;;
esac
