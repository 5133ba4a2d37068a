#!/usr/bin/env bash
# QEMU emulation: with qemu-aarch64 registered in binfmt_misc, the arm64
# busybox fixture (a real aarch64 ELF) runs on this host and reports aarch64.
source "$(dirname "$0")/lib/common.sh"
source "$XB_E2E_LIB/qemu.sh"
source "$XB_E2E_LIB/busybox.sh"
source "$XB_E2E_LIB/dockerd.sh"

xb_qemu_ensure aarch64
xb_busybox_rootfs arm64
bin="$XB_BUSYBOX_ROOTFS/bin/busybox"
xb_assert_eq aarch64 "$(xb_elf_machine "$bin")" "ELF machine of the arm64 busybox"
xb_assert_eq aarch64 "$("$bin" uname -m)" "uname -m of the arm64 busybox"

# Inside a chroot too (what RUN steps will need): the F flag lets the kernel
# use the interpreter it opened at registration time.
if [[ $(id -u) -eq 0 ]]; then
  root="$XB_TMP/arm64-root"
  cp -a "$XB_BUSYBOX_ROOTFS" "$root"
  xb_assert_eq aarch64 "$(chroot "$root" /bin/uname -m)" "uname -m inside an arm64 chroot"
  xb_assert_eq "6" "$(chroot "$root" /bin/sh -c 'echo $((2 * 3))')" "arithmetic in the arm64 shell"

  # And in a linux/arm64 container of the private dockerd (the docker driver's path).
  xb_require_cmd docker docker.io
  xb_dockerd_start
  xb_docker_import_rootfs "$XB_BUSYBOX_TAR" xbuild-e2e/busybox:arm64 linux/arm64
  xb_assert_eq arm64 "$(docker image inspect --format '{{.Architecture}}' xbuild-e2e/busybox:arm64)" \
    "architecture of the loaded image"
  xb_assert_eq aarch64 "$(docker run --rm --network none --platform linux/arm64 xbuild-e2e/busybox:arm64 uname -m)" \
    "uname -m in a linux/arm64 container"
fi
