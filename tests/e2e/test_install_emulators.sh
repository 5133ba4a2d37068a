#!/usr/bin/env bash
# `docker xbuild install-emulators` against a private binfmt_misc: since Linux
# 6.7 a user namespace that mounts binfmt_misc gets its own instance, so the
# command can mount, register, find "already registered" and uninstall there
# while the host's handlers (which concurrent tests use) are never touched.
# Outside the namespace: usage errors, and the non-root error.
source "$(dirname "$0")/lib/common.sh"
source "$XB_E2E_LIB/busybox.sh"
xb_require_plugin_binary
xb_require_cmd unshare util-linux
X="$XBUILD_BIN"
B=/proc/sys/fs/binfmt_misc
[[ -d /usr/lib/binfmt.d ]] && compgen -G "/usr/lib/binfmt.d/qemu-aarch64.conf" >/dev/null ||
  xb_skip "qemu-user-static is not installed (apt-get install qemu-user-static)"
unshare --user --map-root-user --mount true 2>/dev/null ||
  xb_skip "cannot create a user namespace here (kernel.unprivileged_userns_clone?)"
# A sandboxed binfmt_misc instance needs Linux 6.7 or later.
unshare --user --map-root-user --mount sh -c "mount -t tmpfs t $B && mount -t binfmt_misc b $B" \
  2>/dev/null || xb_skip "this kernel ($(uname -r)) has no per-user-namespace binfmt_misc (6.7+)"

host_before=$(ls "$B" 2>/dev/null | sort | xargs)
xb_busybox_rootfs arm64
ARM_BIN="$XB_BUSYBOX_ROOTFS/bin/busybox"

# --- inside a user namespace with a private binfmt_misc ------------------------
# An empty tmpfs hides the host's instance, so install-emulators must mount one.
cat >"$XB_TMP/private.sh" <<'SH'
set -u
B=/proc/sys/fs/binfmt_misc
mount -t tmpfs hide "$B"
step() { echo "== $*"; }
step mount+register; "$X" install-emulators --platform linux/arm64,linux/riscv64; echo "rc=$?"
step listing; ls "$B" | sort | xargs
step flags; grep flags "$B/qemu-aarch64"
step run-arm64; "$ARM_BIN" uname -m; echo "rc=$?"
step again; "$X" install-emulators --platform linux/arm64; echo "rc=$?"
step uninstall; "$X" install-emulators --uninstall --platform linux/arm64; echo "rc=$?"
step listing-after; ls "$B" | sort | xargs
step run-arm64-after; "$ARM_BIN" uname -m 2>&1; echo "rc=$?"
# A foreign-platform build now fails before building, naming the fix.
step build-error; "$X" build --progress plain --platform linux/arm64 "$CTX" 2>&1; echo "rc=$?"
step uninstall-again; "$X" install-emulators --uninstall --platform linux/arm64; echo "rc=$?"
step all; "$X" install-emulators; echo "rc=$?"
step all-listing; ls "$B" | grep -c '^qemu-'
# Without qemu-user-static's files: the error names the package.
mount -t tmpfs nothing /usr/lib/binfmt.d
step not-installed; "$X" install-emulators 2>&1; echo "rc=$?"
SH
# For the build step: a private builder, and a Dockerfile with a RUN.
xb_private_builder emu
CTX="$XB_TMP/ctx"
mkdir -p "$CTX"
printf 'FROM scratch\nRUN true\n' >"$CTX/Dockerfile"
xb_run priv env X="$X" ARM_BIN="$ARM_BIN" CTX="$CTX" \
  unshare --user --map-root-user --mount bash "$XB_TMP/private.sh"
[[ $priv_rc == 0 ]] || xb_fail "private namespace script failed: $priv_err"
out="$priv_out"
section() { awk -v s="== $1" '$0 == s {on = 1; next} /^== / {on = 0} on' <<<"$out"; }

xb_assert_eq "qemu-aarch64 (linux/arm64): registered
qemu-riscv64 (linux/riscv64): registered
rc=0" "$(section mount+register)" "first registration (binfmt_misc mounted by the command)"
xb_assert_eq "qemu-aarch64 qemu-riscv64 register status" "$(section listing)" "private handlers"
xb_assert_contains "$(section flags)" "F" "the F (fix binary) flag"
xb_assert_eq "aarch64
rc=0" "$(section run-arm64)" "an arm64 binary runs through the private handler"
xb_assert_eq "qemu-aarch64 (linux/arm64): already registered
rc=0" "$(section again)" "a second run is idempotent"
xb_assert_eq "qemu-aarch64 (linux/arm64): removed
rc=0" "$(section uninstall)" "--uninstall"
xb_assert_eq "qemu-riscv64 register status" "$(section listing-after)" "handlers after --uninstall"
xb_assert_contains "$(section run-arm64-after)" "rc=126" "arm64 binary without a handler"
xb_assert_contains "$(section build-error)" "no binfmt_misc handler for aarch64 binaries" \
  "a build for a platform without emulator"
xb_assert_contains "$(section build-error)" "docker xbuild install-emulators --platform linux/arm64" \
  "the build error names the command that fixes it"
xb_assert_contains "$(section build-error)" "rc=1" "exit code of the build without emulator"
xb_assert_eq "qemu-aarch64 (linux/arm64): not registered
rc=0" "$(section uninstall-again)" "--uninstall of an absent handler"
xb_assert_contains "$(section all)" "qemu-aarch64 (linux/arm64): registered" "all handlers"
xb_assert_contains "$(section all)" "qemu-riscv64 (linux/riscv64): already registered" "all handlers"
xb_assert_contains "$(section all)" "rc=0" "all handlers"
want=$(ls /usr/lib/binfmt.d/qemu-*.conf | wc -l)
xb_assert_eq "$want" "$(section all-listing)" "one handler per qemu-*.conf file"
xb_assert_contains "$(section not-installed)" "apt-get install qemu-user-static" \
  "the error when qemu-user-static is missing"
xb_assert_contains "$(section not-installed)" "rc=1" "exit code when qemu-user-static is missing"

xb_assert_eq "$host_before" "$(ls "$B" 2>/dev/null | sort | xargs)" "the host's binfmt_misc is untouched"

# --- usage errors, on the host (nothing is written) ---------------------------
xb_run bad "$X" install-emulators --platform linux/sparc64
xb_assert_eq 125 "$bad_rc" "exit code of an unknown architecture"
xb_assert_contains "$bad_err" 'no emulator for architecture "sparc64"'
xb_assert_contains "$bad_err" "linux/arm64"
xb_run native "$X" install-emulators --platform "linux/$(uname -m | sed 's/x86_64/amd64/;s/aarch64/arm64/')"
xb_assert_eq 0 "$native_rc" "the host's own platform"
xb_assert_contains "$native_out" "runs natively on this host: nothing to register"

# --- not root -----------------------------------------------------------------
if [[ $(id -u) -eq 0 ]]; then
  xb_require_cmd setpriv util-linux
  xb_run nonroot setpriv --reuid=65534 --regid=65534 --clear-groups "$X" install-emulators
  xb_assert_eq 1 "$nonroot_rc" "exit code as nobody"
  xb_assert_contains "$nonroot_err" "install-emulators needs root"
  xb_assert_contains "$nonroot_err" "sudo docker-xbuild install-emulators"
fi
