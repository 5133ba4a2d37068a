#!/usr/bin/env bash
# Install the docker-xbuild plugin where the docker CLI finds it.
#
#   packaging/install.sh [--binary PATH] [--system] [--dest DIR]
#
#   (default)      ${DOCKER_CONFIG:-~/.docker}/cli-plugins/docker-xbuild, for this user
#   --system       /usr/libexec/docker/cli-plugins/docker-xbuild, for every user (root)
#   --dest DIR     DIR/docker-xbuild (packagers, tests)
#   --binary PATH  the binary to install (default: build/docker-xbuild)
#
# Idempotent: the file is replaced atomically, so a running `docker xbuild`
# keeps its old binary and never sees a half-written one.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
source_dir="$(cd "$here/.." && pwd)"
binary="$source_dir/build/docker-xbuild"
dest=""

usage() { sed -n '2,13s/^# \{0,1\}//p' "$0"; }

while [[ $# -gt 0 ]]; do
  case "$1" in
    --binary) binary="${2:?--binary needs a path}"; shift ;;
    --system) dest=/usr/libexec/docker/cli-plugins ;;
    --dest) dest="${2:?--dest needs a directory}"; shift ;;
    -h | --help) usage; exit 0 ;;
    *) echo "install.sh: unknown option '$1'" >&2; usage >&2; exit 2 ;;
  esac
  shift
done
[[ -n "$dest" ]] || dest="${DOCKER_CONFIG:-$HOME/.docker}/cli-plugins"

if [[ ! -x "$binary" ]]; then
  echo "install.sh: no plugin binary at $binary; build it first:" >&2
  echo "  cmake -S $source_dir -B $source_dir/build -G Ninja && ninja -C $source_dir/build docker-xbuild" >&2
  echo "or run packaging/setup.sh, which builds and installs it." >&2
  exit 1
fi
if [[ "$("$binary" docker-cli-plugin-metadata 2>/dev/null)" != *'"SchemaVersion"'* ]]; then
  echo "install.sh: $binary does not answer docker-cli-plugin-metadata; is it docker-xbuild?" >&2
  exit 1
fi

mkdir -p "$dest" 2>/dev/null || {
  echo "install.sh: cannot create $dest (for --system, run as root or with sudo)" >&2
  exit 1
}
tmp="$dest/.docker-xbuild.$$"
install -m 0755 "$binary" "$tmp"
mv -f "$tmp" "$dest/docker-xbuild"
echo "installed $("$dest/docker-xbuild" version) into $dest"
