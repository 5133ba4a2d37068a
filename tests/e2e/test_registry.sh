#!/usr/bin/env bash
# The registry fixture serves the distribution API from its own storage dir,
# plain and with htpasswd basic auth over TLS (certs made by openssl now).
source "$(dirname "$0")/lib/common.sh"
source "$XB_E2E_LIB/registry.sh"

# Push one blob with the monolithic POST+PUT upload, returning its digest.
push_blob() { # BASE_URL REPO FILE CURL_ARGS...
  local base="$1" repo="$2" file="$3"
  shift 3
  local digest location
  digest="sha256:$(sha256sum "$file" | cut -d' ' -f1)"
  location="$(curl -sf -D - -o /dev/null -X POST "$@" "$base/v2/$repo/blobs/uploads/" |
    tr -d '\r' | awk -F': ' 'tolower($1) == "location" {print $2}')"
  [[ -n "$location" ]] || xb_fail "POST $base/v2/$repo/blobs/uploads/ returned no Location"
  [[ "$location" == http* ]] || location="$base$location"
  local sep='?'
  [[ "$location" == *'?'* ]] && sep='&'
  curl -sf -X PUT "$@" -H 'Content-Type: application/octet-stream' --data-binary "@$file" \
    "$location${sep}digest=$digest" >/dev/null
  echo "$digest"
}

# --- plain HTTP ------------------------------------------------------------
xb_registry_start --name plain
xb_assert_eq 200 "$(xb_http_status "$XB_REGISTRY_URL/v2/")" "GET /v2/ on the plain registry"
# Header names are case-insensitive (and lower case over HTTP/2).
xb_assert_contains "$(curl -s -D - -o /dev/null "$XB_REGISTRY_URL/v2/" | tr 'A-Z' 'a-z')" \
  "docker-distribution-api-version: registry/2.0" "headers of /v2/"

head -c 4096 /dev/urandom >"$XB_TMP/blob"
digest="$(push_blob "$XB_REGISTRY_URL" e2e/blob "$XB_TMP/blob")"
curl -sf "$XB_REGISTRY_URL/v2/e2e/blob/blobs/$digest" -o "$XB_TMP/blob.back"
cmp -s "$XB_TMP/blob" "$XB_TMP/blob.back" || xb_fail "the blob read back differs from the one pushed"
# The blob lives in this fixture's own storage dir, nowhere else.
hex="${digest#sha256:}"
[[ -f "$XB_REGISTRY_STORAGE/docker/registry/v2/blobs/sha256/${hex:0:2}/$hex/data" ]] ||
  xb_fail "blob $digest not found under the fixture storage $XB_REGISTRY_STORAGE"
plain_url="$XB_REGISTRY_URL"

# --- TLS + htpasswd ---------------------------------------------------------
xb_registry_start --name secure --tls --htpasswd "alice:s3cret-$$"
[[ "$XB_REGISTRY_URL" == https://* ]] || xb_fail "TLS registry URL is $XB_REGISTRY_URL"
[[ "$XB_REGISTRY_URL" != "$plain_url" ]] || xb_fail "two registries share $plain_url"

# Without our CA the certificate must not verify: proves TLS is real.
rc=0
curl -s -o /dev/null "$XB_REGISTRY_URL/v2/" || rc=$?
xb_assert_eq 60 "$rc" "curl exit status without the test CA (60 = certificate not trusted)"

xb_assert_eq 401 "$(xb_http_status "$XB_REGISTRY_URL/v2/" --cacert "$XB_REGISTRY_CA")" \
  "GET /v2/ without credentials"
challenge="$(curl -s -D - -o /dev/null --cacert "$XB_REGISTRY_CA" "$XB_REGISTRY_URL/v2/" | tr -d '\r')"
xb_assert_contains "${challenge,,}" 'www-authenticate: basic realm="xbuild-test-registry"' "challenge"
xb_assert_eq 401 "$(xb_http_status "$XB_REGISTRY_URL/v2/" --cacert "$XB_REGISTRY_CA" -u alice:wrong)" \
  "GET /v2/ with a wrong password"
creds=(--cacert "$XB_REGISTRY_CA" -u "$XB_REGISTRY_USER:$XB_REGISTRY_PASS")
xb_assert_eq 200 "$(xb_http_status "$XB_REGISTRY_URL/v2/" "${creds[@]}")" "GET /v2/ with credentials"

digest2="$(push_blob "$XB_REGISTRY_URL" e2e/secure "$XB_TMP/blob" "${creds[@]}")"
xb_assert_eq "$digest" "$digest2" "digest of the blob pushed over TLS"
xb_assert_eq 200 "$(xb_http_status "$XB_REGISTRY_URL/v2/e2e/secure/blobs/$digest" "${creds[@]}")" \
  "HEAD of the pushed blob"
# The cert dir the fixture exports is what skopeo and docker (certs.d) read.
[[ -f "$XB_REGISTRY_CERT_DIR/ca.crt" ]] || xb_fail "no ca.crt in $XB_REGISTRY_CERT_DIR"
