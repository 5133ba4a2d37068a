# shellcheck shell=bash
# Base-image fixture without internet: busybox root filesystems for
# linux/amd64 and linux/arm64 made from Debian's busybox-static packages,
# cached between runs. Source after common.sh.
#
#   xb_busybox_rootfs ARCH     ARCH is a Debian architecture: amd64 or arm64
#   sets XB_BUSYBOX_ROOTFS   the root filesystem (a directory)
#        XB_BUSYBOX_TAR      a reproducible tar of it (sorted, owner 0, mtime 0)
#        XB_BUSYBOX_VERSION  the busybox-static package version
#
# Both are read-only cache entries shared by every test: copy before changing.
# The cache is $XBUILD_TEST_CACHE, else $XDG_CACHE_HOME/docker-xbuild/test-fixtures,
# else ~/.cache/docker-xbuild/test-fixtures. The .deb comes from that cache,
# from apt's archive cache, or from `apt-get download` (which needs the
# architecture enabled: `dpkg --add-architecture arm64 && apt-get update`, as
# packaging/setup.sh does).

XB_FIXTURE_CACHE="${XBUILD_TEST_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/docker-xbuild/test-fixtures}"

xb_busybox_rootfs() {
  local arch="$1"
  case "$arch" in amd64 | arm64) ;; *) xb_fail "xb_busybox_rootfs: unsupported architecture '$arch'" ;; esac
  xb_require_cmd dpkg-deb dpkg
  xb_require_cmd flock util-linux
  mkdir -p "$XB_FIXTURE_CACHE/busybox"
  # Concurrent tests (ctest -j) build each entry once, under a lock.
  exec {lock_fd}>"$XB_FIXTURE_CACHE/busybox/.lock"
  flock "$lock_fd"
  local deb
  deb="$(xb__busybox_deb "$arch")" || {
    flock -u "$lock_fd"
    xb_skip "busybox-static:$arch is not available: enable the architecture and refresh apt" \
      "(dpkg --add-architecture $arch && apt-get update; packaging/setup.sh --deps-only does both)"
  }
  local version entry
  version="$(dpkg-deb -f "$deb" Version)"
  entry="$XB_FIXTURE_CACHE/busybox/${version//[:+~]/_}/$arch"
  if [[ ! -f "$entry/done" ]]; then
    # Not in an `||` list: errexit must stay active inside the build steps.
    xb__busybox_build "$deb" "$arch" "$entry"
  fi
  flock -u "$lock_fd"
  exec {lock_fd}>&-
  XB_BUSYBOX_ROOTFS="$entry/rootfs"
  XB_BUSYBOX_TAR="$entry/rootfs.tar"
  XB_BUSYBOX_VERSION="$version"
}

# Path of a busybox-static .deb for ARCH, fetching it if needed.
xb__busybox_deb() {
  local arch="$1" debs="$XB_FIXTURE_CACHE/busybox/debs" f
  mkdir -p "$debs"
  for f in "$debs"/busybox-static_*_"$arch".deb /var/cache/apt/archives/busybox-static_*_"$arch".deb; do
    if [[ -f "$f" ]]; then
      echo "$f"
      return 0
    fi
  done
  local sandbox=()
  [[ $(id -u) -eq 0 ]] && sandbox=(-o APT::Sandbox::User=root) # _apt cannot write the user's cache
  (cd "$debs" && apt-get download -q "${sandbox[@]}" "busybox-static:$arch" >&2) || return 1
  for f in "$debs"/busybox-static_*_"$arch".deb; do
    [[ -f "$f" ]] && { echo "$f"; return 0; }
  done
  return 1
}

# Unpack DEB into ENTRY/rootfs with applet links and a minimal /etc, then a
# reproducible ENTRY/rootfs.tar (sorted, owner 0, mtime 0), atomically.
xb__busybox_build() {
  local deb="$1" arch="$2" entry="$3"
  local work="$entry.tmp.$$"
  rm -rf "$work"
  mkdir -p "$work/rootfs"
  local root="$work/rootfs"
  dpkg-deb -x "$deb" "$root/.unpack"
  mkdir -p "$root/bin" "$root/sbin" "$root/usr/bin" "$root/usr/sbin" "$root/etc" \
    "$root/root" "$root/tmp" "$root/proc" "$root/sys" "$root/dev" "$root/var"
  mv "$root/.unpack/bin/busybox" "$root/bin/busybox"
  rm -rf "$root/.unpack"
  chmod 1777 "$root/tmp"
  chmod 0700 "$root/root"

  # The applet list comes from the binary itself; a foreign one runs through
  # binfmt_misc if registered, else through qemu-*-static directly.
  local list="" qemu
  list="$("$root/bin/busybox" --list-full 2>/dev/null)" || list=""
  if [[ -z "$list" ]]; then
    case "$arch" in arm64) qemu="qemu-aarch64-static" ;; amd64) qemu="qemu-x86_64-static" ;; esac
    if command -v "$qemu" >/dev/null; then
      list="$("$qemu" "$root/bin/busybox" --list-full)" || list=""
    fi
  fi
  [[ -n "$list" ]] || xb_fail "cannot run the $arch busybox to list its applets: apt-get install qemu-user-static"
  local applet
  while read -r applet; do
    [[ -z "$applet" || "$applet" == bin/busybox ]] && continue
    mkdir -p "$root/$(dirname "$applet")"
    ln -sf /bin/busybox "$root/$applet"
  done <<<"$list"

  printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' >"$root/etc/passwd"
  printf 'root:x:0:\nnogroup:x:65534:\n' >"$root/etc/group"
  echo "busybox-static $(dpkg-deb -f "$deb" Version) $arch (docker-xbuild test fixture)" >"$root/etc/xbuild-fixture"

  tar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner --format=gnu \
    -C "$root" -cf "$work/rootfs.tar" .
  touch "$work/done"
  rm -rf "$entry"
  mkdir -p "$(dirname "$entry")"
  mv "$work" "$entry"
}
