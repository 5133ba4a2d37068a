# Seeds single-platform test images into a registry with skopeo (an
# independent tool), from OCI layouts made by make_oci_layout.py. Source
# after common.sh and registry.sh.
#
#   xb_seed_image REF ARCH [make_oci_layout.py args...]
#       writes a layout for ARCH and copies it to docker://REF; prints the
#       manifest digest as pushed (--docker: converted to Docker schema 2). Uses XB_SEED_SKOPEO_ARGS for auth/TLS (e.g.
#       --dest-tls-verify=false, --dest-creds u:p, --dest-cert-dir DIR).
#   xb_seed_busybox REF ARCH [--docker]
#       the same with the busybox rootfs of the busybox fixture as the layer

XB_TOOLS="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

xb_seed_image() {
  local ref="$1" arch="$2"
  shift 2
  local dir="$XB_TMP/layout-$RANDOM$RANDOM" args=() format=() a
  # Docker-typed images: skopeo converts (oci: layouts hold only OCI types).
  for a in "$@"; do
    if [[ "$a" == --docker ]]; then format=(--format v2s2); else args+=("$a"); fi
  done
  python3 "$XB_TOOLS/make_oci_layout.py" --out "$dir" --arch "$arch" "${args[@]}" >/dev/null
  skopeo copy -q --dest-tls-verify=false ${XB_SEED_SKOPEO_ARGS:-} "${format[@]}" \
    --digestfile "$dir.digest" "oci:$dir:latest" "docker://$ref" >&2
  cat "$dir.digest"
}

xb_seed_busybox() {
  local ref="$1" arch="$2"
  shift 2
  source "$XB_E2E_LIB/busybox.sh"
  xb_busybox_rootfs "$arch"
  xb_seed_image "$ref" "$arch" --gzip --layer-file "$XB_BUSYBOX_TAR" "$@"
}

#   xb_seed_busybox_multiarch REPO
#       REPO:amd64 and REPO:arm64 from the busybox fixtures, and REPO:latest
#       as the two-platform index over them (made with `imagetools create`).
xb_seed_busybox_multiarch() {
  local repo="$1"
  xb_seed_busybox "$repo:amd64" amd64 >/dev/null
  xb_seed_busybox "$repo:arm64" arm64 >/dev/null
  "$XBUILD_BIN" imagetools create -t "$repo:latest" "$repo:amd64" "$repo:arm64" >/dev/null
}
