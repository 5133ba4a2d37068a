#!/usr/bin/env bash
# Set up a Debian 12 machine for docker-xbuild and run the main job:
#
#   packaging/setup.sh [--deps-only] [--no-example] [--build-dir DIR]
#
#   1. install the Debian packages in packaging/debian-packages.txt (and enable
#      arm64 as a foreign architecture, for the offline busybox base images)
#   2. register qemu-aarch64 in binfmt_misc, so arm64 binaries run here
#   3. build the plugin (Release) in build/ (or --build-dir / $XBUILD_BUILD_DIR)
#   4. install it into ~/.docker/cli-plugins (packaging/install.sh)
#   5. run the example (examples/run.sh)
#
#   --deps-only   steps 1–2 only (what tests/run.sh and .ci/run use)
#   --no-example  skip step 5
#
# Idempotent: packages already installed are not touched and apt-get runs only
# when something is missing. Works as root, or as a user with sudo (only
# steps 1–2 use sudo). Extra CMake arguments: $XBUILD_CMAKE_ARGS.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
source_dir="$(cd "$here/.." && pwd)"
build_dir="${XBUILD_BUILD_DIR:-$source_dir/build}"
deps_only=0 example=1

while [[ $# -gt 0 ]]; do
  case "$1" in
    --deps-only) deps_only=1 ;;
    --no-example) example=0 ;;
    --build-dir) build_dir="${2:?--build-dir needs a directory}"; shift ;;
    -h | --help) sed -n '2,20s/^# \{0,1\}//p' "$0"; exit 0 ;;
    *) echo "setup.sh: unknown option '$1' (see --help)" >&2; exit 2 ;;
  esac
  shift
done

say() { printf '==> %s\n' "$*"; }

# Run as root: directly when we are root, else through sudo.
as_root() {
  if [[ $(id -u) -eq 0 ]]; then
    "$@"
  elif command -v sudo >/dev/null; then
    sudo "$@"
  else
    echo "setup.sh: '$*' needs root, and sudo is not installed: run this script as root" >&2
    return 1
  fi
}

installed() { # PACKAGE
  [[ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null)" == "install ok installed" ]]
}

wanted_packages() {
  sed -e 's/#.*//' -e 's/[[:space:]]//g' "$here/debian-packages.txt" | grep -v -e '^$' -e '^\['
}

install_packages() {
  local missing=() pkg
  for pkg in $(wanted_packages); do
    installed "$pkg" && continue
    # A machine with Docker's own docker-ce already has a dockerd; docker.io
    # would conflict with it, and the tests only need some dockerd.
    if [[ "$pkg" == docker.io ]] && command -v dockerd >/dev/null && command -v docker >/dev/null; then
      continue
    fi
    missing+=("$pkg")
  done

  local need_update=0
  if ! dpkg --print-foreign-architectures | grep -qx arm64; then
    say "enabling arm64 as a foreign architecture (for busybox-static:arm64 test fixtures)"
    as_root dpkg --add-architecture arm64
    need_update=1
  fi
  # The arm64 package lists are needed to download busybox-static:arm64.
  if ! apt-cache show busybox-static:arm64 >/dev/null 2>&1; then
    need_update=1
  fi
  if [[ ${#missing[@]} -gt 0 ]]; then
    need_update=1
  fi
  if [[ $need_update == 1 ]]; then
    say "apt-get update"
    as_root apt-get update -q
  fi
  if [[ ${#missing[@]} -gt 0 ]]; then
    say "installing ${missing[*]}"
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
  else
    say "all Debian packages are installed"
  fi
}

register_qemu() {
  local conf=/usr/lib/binfmt.d/qemu-aarch64.conf
  if [[ -f /proc/sys/fs/binfmt_misc/qemu-aarch64 ]]; then
    say "qemu-aarch64 is registered in binfmt_misc"
    return 0
  fi
  say "registering qemu-aarch64 in binfmt_misc"
  as_root bash -c "source '$source_dir/tests/e2e/lib/qemu.sh' && xb_binfmt_register '$conf'" || {
    echo "setup.sh: could not register $conf in binfmt_misc; arm64 tests will be skipped" >&2
    echo "  (in a container, start it with --privileged or register on the host)" >&2
    return 1
  }
}

build_plugin() {
  say "building docker-xbuild in $build_dir"
  # shellcheck disable=SC2086 # XBUILD_CMAKE_ARGS is a list of arguments
  cmake -S "$source_dir" -B "$build_dir" -G Ninja ${XBUILD_CMAKE_ARGS:-} >/dev/null
  ninja -C "$build_dir" docker-xbuild
}

install_packages
register_qemu || true # the arm64 tests say what is missing
[[ $deps_only == 1 ]] && exit 0

build_plugin
say "installing the plugin"
bash "$here/install.sh" --binary "$build_dir/docker-xbuild"
if [[ $example == 1 ]]; then
  say "running the example (examples/run.sh)"
  bash "$source_dir/examples/run.sh"
fi
say "done: try 'docker xbuild --help'"
