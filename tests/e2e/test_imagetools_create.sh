#!/usr/bin/env bash
# imagetools create merges single-platform images (OCI and Docker typed, from
# other repositories and another registry) into one index; inspect shows it;
# --raw is byte-identical to what the registry serves; skopeo verifies it.
source "$(dirname "$0")/lib/common.sh"
source "$XB_E2E_LIB/registry.sh"
source "$XBUILD_SOURCE_DIR/tests/e2e/tools/seed_images.sh"
xb_require_plugin_binary
xb_require_cmd skopeo skopeo

xb_registry_start --name main
REG="$XB_REGISTRY_HOST"
X="$XBUILD_BIN"

# --- sources: busybox amd64 in one repo, arm64 in another ------------------
amd="$(xb_seed_busybox "$REG/src/busybox:amd64" amd64)"
arm="$(xb_seed_busybox "$REG/other/busybox:arm64" arm64)"

# --- dry run prints the index and pushes nothing ---------------------------
"$X" imagetools create --dry-run -t "$REG/app:multi" "$REG/src/busybox:amd64" "$REG/other/busybox:arm64" >"$XB_TMP/dry.json"
python3 - "$XB_TMP/dry.json" "$amd" "$arm" <<'PY'
import json, sys
idx = json.load(open(sys.argv[1]))
assert idx["mediaType"] == "application/vnd.oci.image.index.v1+json", idx["mediaType"]
got = [(m["digest"], m["platform"]["architecture"]) for m in idx["manifests"]]
assert got == [(sys.argv[2], "amd64"), (sys.argv[3], "arm64")], got
PY
xb_assert_eq 404 "$(xb_http_status "$XB_REGISTRY_URL/v2/app/manifests/multi")" "tag after --dry-run"

# --- create: blobs mounted across repositories, children by digest, tag last
xb_run create "$X" imagetools create -t "$REG/app:multi" -t "$REG/app:also" \
  --metadata-file "$XB_TMP/meta.json" "$REG/src/busybox:amd64" "$REG/other/busybox:arm64"
[[ $create_rc == 0 ]] || xb_fail "imagetools create failed: $create_err"
skopeo inspect --raw --tls-verify=false "docker://$REG/app:multi" >"$XB_TMP/served.json"
"$X" imagetools inspect --raw "$REG/app:multi" >"$XB_TMP/raw.json"
cmp "$XB_TMP/served.json" "$XB_TMP/raw.json" || xb_fail "--raw differs from the registry's bytes"
cmp "$XB_TMP/served.json" <(head -c -1 "$XB_TMP/dry.json") || xb_fail "pushed index differs from --dry-run"
digest="sha256:$(sha256sum "$XB_TMP/served.json" | cut -d' ' -f1)"
xb_assert_contains "$(cat "$XB_TMP/meta.json")" "\"containerimage.digest\": \"$digest\"" "metadata file"
xb_assert_eq "$(skopeo inspect --raw --tls-verify=false "docker://$REG/app:also" | sha256sum)" \
  "$(sha256sum <"$XB_TMP/served.json")" "second tag"

# skopeo copies every platform into an OCI layout, verifying each digest.
skopeo copy -q --all --src-tls-verify=false "docker://$REG/app:multi" "oci:$XB_TMP/copy:multi"
xb_assert_eq 2 "$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["manifests"]))' "$XB_TMP/served.json")" "entries"

# --- inspect: pretty summary and templates ---------------------------------
pretty="$("$X" imagetools inspect "$REG/app:multi")"
xb_assert_contains "$pretty" "Name:      $REG/app:multi"
xb_assert_contains "$pretty" "Digest:    $digest"
xb_assert_contains "$pretty" "Platform:    linux/amd64"
xb_assert_contains "$pretty" "Platform:    linux/arm64"
xb_assert_eq "$REG/app:multi" "$("$X" imagetools inspect --format '{{.Name}}' "$REG/app:multi")" ".Name"
xb_assert_eq "application/vnd.oci.image.index.v1+json" \
  "$("$X" imagetools inspect --format '{{.Manifest.MediaType}}' "$REG/app:multi")" ".Manifest.MediaType"
"$X" imagetools inspect --format '{{json .Image}}' "$REG/app:multi" >"$XB_TMP/image.json"
python3 - "$XB_TMP/image.json" <<'PY'
import json, sys
img = json.load(open(sys.argv[1]))
assert sorted(img) == ["linux/amd64", "linux/arm64"], sorted(img)
assert img["linux/arm64"]["architecture"] == "arm64"
PY

# --- Docker-typed sources give a Docker manifest list ----------------------
xb_seed_busybox "$REG/d/one:amd64" amd64 --docker >/dev/null
xb_seed_busybox "$REG/d/two:arm64" arm64 --docker >/dev/null
"$X" imagetools create -t "$REG/d/list:1" "$REG/d/one:amd64" "$REG/d/two:arm64"
xb_assert_eq "application/vnd.docker.distribution.manifest.list.v2+json" \
  "$(skopeo inspect --raw --tls-verify=false "docker://$REG/d/list:1" | python3 -c 'import json,sys; print(json.load(sys.stdin)["mediaType"])')" \
  "list media type"
skopeo copy -q --all --src-tls-verify=false "docker://$REG/d/list:1" "oci:$XB_TMP/copy2:list"

# --- a single index source is copied byte for byte -------------------------
"$X" imagetools create -t "$REG/copy:1" "$REG/app:multi"
xb_assert_eq "$digest" "$(skopeo inspect --tls-verify=false --format '{{.Digest}}' "docker://$REG/copy:1")" "carbon copy digest"

# --- --append, --platform, --annotation ------------------------------------
"$X" imagetools create -t "$REG/app:amdonly" --platform linux/amd64 "$REG/app:multi"
xb_assert_eq 1 "$(skopeo inspect --raw --tls-verify=false "docker://$REG/app:amdonly" | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["manifests"]))')" "filtered entries"
"$X" imagetools create --append -t "$REG/app:amdonly" --annotation "index:org.example.note=hi" "$REG/other/busybox:arm64"
skopeo inspect --raw --tls-verify=false "docker://$REG/app:amdonly" | python3 -c '
import json, sys
idx = json.load(sys.stdin)
assert [m["platform"]["architecture"] for m in idx["manifests"]] == ["amd64", "arm64"], idx
assert idx["annotations"] == {"org.example.note": "hi"}, idx'

# --- one image source: wrapped in an index, unless --prefer-index=false -----
"$X" imagetools create --dry-run --prefer-index=false "$REG/src/busybox:amd64" | head -c -1 |
  cmp - <(skopeo inspect --raw --tls-verify=false "docker://$REG/src/busybox:amd64") ||
  xb_fail "--prefer-index=false should keep the manifest as it is"
xb_assert_contains "$("$X" imagetools create --dry-run "$REG/src/busybox:amd64")" '"manifests":[' "wrapped"

# --- sources as a descriptor file and as a bare digest (in the tag's repo) --
skopeo inspect --raw --tls-verify=false "docker://$REG/other/busybox:arm64" >"$XB_TMP/arm.json"
python3 - "$XB_TMP/arm.json" "$arm" >"$XB_TMP/arm-desc.json" <<'PY'
import json, os, sys
print(json.dumps({"mediaType": json.load(open(sys.argv[1]))["mediaType"], "digest": sys.argv[2],
                  "size": os.path.getsize(sys.argv[1])}))
PY
"$X" imagetools create -t "$REG/other/busybox:both" -f "$XB_TMP/arm-desc.json" "$REG/src/busybox:amd64"
"$X" imagetools create -t "$REG/other/busybox:digest" "$arm"
skopeo inspect --raw --tls-verify=false "docker://$REG/other/busybox:both" | python3 -c '
import json, sys
idx = json.load(sys.stdin)
assert [m["platform"]["architecture"] for m in idx["manifests"]] == ["amd64", "arm64"], idx'
skopeo inspect --raw --tls-verify=false "docker://$REG/other/busybox:digest" | python3 -c '
import json, sys
idx = json.load(sys.stdin)
assert idx["mediaType"].endswith("index.v1+json") and len(idx["manifests"]) == 1, idx'
skopeo copy -q --all --src-tls-verify=false "docker://$REG/other/busybox:both" "oci:$XB_TMP/copy4:b"

# --- another registry: blobs and manifests are copied -----------------------
xb_registry_start --name second
"$X" imagetools create -t "$XB_REGISTRY_HOST/copied:1" "$REG/app:multi"
skopeo copy -q --all --src-tls-verify=false "docker://$XB_REGISTRY_HOST/copied:1" "oci:$XB_TMP/copy3:c"
xb_assert_eq "$digest" "$(skopeo inspect --tls-verify=false --format '{{.Digest}}' "docker://$XB_REGISTRY_HOST/copied:1")" "cross-registry copy digest"

# --- errors ---------------------------------------------------------------
xb_run missing "$X" imagetools inspect "$REG/nope:1"
xb_assert_eq 1 "$missing_rc" "exit code for a missing image"
xb_assert_contains "$missing_err" "not found"
