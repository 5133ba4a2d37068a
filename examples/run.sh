#!/usr/bin/env bash
# The example of README command (1): docker-xbuild's main job, a bake of
# examples/hello on the embedded engine, through the real docker CLI.
#   - makes the busybox base binaries from Debian's busybox-static (amd64 and
#     arm64; the arm64 one runs under QEMU during the build),
#   - prints the resolved definition, then bakes: base (two platforms) →
#     app + notes (linked with target:base), one graph, shared work once,
#   - checks what came out: an OCI layout with both platforms, and the
#     notes filesystem per platform.
# Set REGISTRY=host:port to also push the app image there.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
out="$here/out"
mkdir -p "$out/debs"
say() { printf -- '--> %s\n' "$*"; }

if ! docker xbuild version >/dev/null 2>&1; then
  echo "the docker CLI does not find the xbuild plugin: run packaging/install.sh first" >&2
  exit 1
fi

# --- the base image's binaries, from Debian's packages --------------------
for arch in amd64 arm64; do
  bin="$here/hello/base/busybox-$arch"
  [[ -x "$bin" ]] && continue
  deb="$(ls "$out"/debs/busybox-static_*_"$arch".deb 2>/dev/null | head -1 || true)"
  if [[ -z "$deb" ]]; then
    say "downloading busybox-static:$arch"
    (cd "$out/debs" && apt-get download "busybox-static:$arch" >/dev/null) || {
      echo "cannot download busybox-static:$arch: enable the architecture" \
        "(dpkg --add-architecture $arch && apt-get update; packaging/setup.sh does both)" >&2
      exit 1
    }
    deb="$(ls "$out"/debs/busybox-static_*_"$arch".deb | head -1)"
  fi
  tmp="$(mktemp -d)"
  dpkg-deb -x "$deb" "$tmp"
  install -m 0755 "$tmp/bin/busybox" "$bin"
  rm -rf "$tmp"
done

cd "$here/hello"
say "docker xbuild version: $(docker xbuild version)"
say "resolved bake definition (docker xbuild bake --print)"
docker xbuild bake --print
set_push=()
if [[ -n "${REGISTRY:-}" ]]; then
  set_push=(--push)
  export TAG="${TAG:-dev}"
  sed_note="and pushed to $REGISTRY"
fi
say "multi-platform bake (docker xbuild bake ${set_push[*]:-})"
docker xbuild bake --progress plain --metadata-file "$out/bake-metadata.json" "${set_push[@]}"

# --- what came out --------------------------------------------------------
python3 - "$out" <<'PY'
import json, os, sys, tarfile
out = sys.argv[1]
with tarfile.open(os.path.join(out, "hello-oci.tar")) as t:
    index = json.load(t.extractfile("index.json"))
    top = json.load(t.extractfile("blobs/sha256/" + index["manifests"][0]["digest"].split(":")[1]))
plats = sorted(m["platform"]["architecture"] for m in top["manifests"])
assert plats == ["amd64", "arm64"], plats
for p in ("linux_amd64", "linux_arm64"):
    assert os.path.exists(os.path.join(out, "notes", p, "usr/share/doc/hello/notes.txt")), p
meta = json.load(open(os.path.join(out, "bake-metadata.json")))
print("--> hello-oci.tar: an OCI index for", ", ".join("linux/" + p for p in plats))
for name in sorted(meta):
    print(f"--> {name}: {meta[name]['containerimage.digest']}")
PY
say "example finished: $out/hello-oci.tar and $out/notes/ ${sed_note:-}"
