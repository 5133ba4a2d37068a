#!/usr/bin/env bash
# The offline base-image fixture: amd64 and arm64 busybox root filesystems
# with applet links and a minimal /etc, tarred reproducibly, and cached.
source "$(dirname "$0")/lib/common.sh"
source "$XB_E2E_LIB/busybox.sh"
source "$XB_E2E_LIB/qemu.sh"

declare -A expect=([amd64]=x86_64 [arm64]=aarch64)
for arch in amd64 arm64; do
  xb_busybox_rootfs "$arch"
  xb_assert_eq "${expect[$arch]}" "$(xb_elf_machine "$XB_BUSYBOX_ROOTFS/bin/busybox")" "ELF machine ($arch)"
  for applet in bin/sh bin/uname bin/ls usr/bin/env; do
    [[ -L "$XB_BUSYBOX_ROOTFS/$applet" ]] || xb_fail "$arch rootfs lacks the applet link /$applet"
  done
  grep -q '^root:x:0:0:' "$XB_BUSYBOX_ROOTFS/etc/passwd" || xb_fail "$arch rootfs has no root user"
  xb_assert_contains "$(tar -tf "$XB_BUSYBOX_TAR")" "./bin/busybox" "$arch rootfs.tar"
  owners="$(tar --numeric-owner -tvf "$XB_BUSYBOX_TAR" | awk '{print $2}' | sort -u | tr '\n' ' ')"
  xb_assert_eq "0/0 " "$owners" "owners in $arch rootfs.tar"
  declare "first_$arch=$(sha256sum "$XB_BUSYBOX_TAR" | cut -d' ' -f1)"
done

# Reproducible: built again from scratch in another cache, the tar is
# byte-identical (so image digests made from it are stable across machines).
cache_before="$XB_FIXTURE_CACHE"
XB_FIXTURE_CACHE="$XB_TMP/cache2"
mkdir -p "$XB_FIXTURE_CACHE/busybox/debs"
cp "$cache_before"/busybox/debs/*.deb "$XB_FIXTURE_CACHE/busybox/debs/" 2>/dev/null || true
for arch in amd64 arm64; do
  xb_busybox_rootfs "$arch"
  first="first_$arch"
  xb_assert_eq "${!first}" "$(sha256sum "$XB_BUSYBOX_TAR" | cut -d' ' -f1)" "sha256 of a rebuilt $arch rootfs.tar"
done
