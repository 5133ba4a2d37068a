#!/usr/bin/env bash
# Pushing to registries that need credentials: htpasswd basic auth over TLS
# and token auth, with credentials (a) in config.json `auths` and (b) from a
# credential helper on PATH that wins over `auths`. Wrong credentials give a
# clear 401 and exit code 1; no credential ever appears in any output, even
# with --debug.
source "$(dirname "$0")/lib/common.sh"
source "$XB_E2E_LIB/registry.sh"
source "$XBUILD_SOURCE_DIR/tests/e2e/tools/seed_images.sh"
xb_require_plugin_binary
xb_require_cmd skopeo skopeo
X="$XBUILD_BIN"

# Sources on a plain registry; every push below copies them across.
xb_registry_start --name src
SRC="$XB_REGISTRY_HOST"
xb_seed_busybox "$SRC/busybox:amd64" amd64 >/dev/null
xb_seed_busybox "$SRC/busybox:arm64" arm64 >/dev/null

# A credential helper that answers for one host, logging each request.
mkdir -p "$XB_TMP/bin"
cat >"$XB_TMP/bin/docker-credential-xbtest" <<'SH'
#!/bin/sh
[ "$1" = get ] || exit 1
read -r server
echo "get $server" >>"$XBTEST_HELPER_LOG"
if [ "$server" = "$XBTEST_HOST" ]; then
  printf '{"ServerURL":"%s","Username":"%s","Secret":"%s"}\n' "$server" "$XBTEST_USER" "$XBTEST_PASS"
else
  echo "credentials not found in native keychain"
  exit 1
fi
SH
chmod +x "$XB_TMP/bin/docker-credential-xbtest"
export PATH="$XB_TMP/bin:$PATH" XBTEST_HELPER_LOG="$XB_TMP/helper.log"

ALL_OUTPUT="$XB_TMP/all-output.txt"
: >"$ALL_OUTPUT"
# run_x PREFIX ARGS… : the plugin with --debug, output kept for the secret scan.
run_x() {
  local prefix="$1"
  shift
  xb_run "$prefix" "$X" --debug "$@"
  eval "printf '%s\n%s\n' \"\$${prefix}_out\" \"\$${prefix}_err\"" >>"$ALL_OUTPUT"
}

write_auths() { # HOST USER PASS [EXTRA_JSON]
  local auth
  auth="$(printf '%s:%s' "$2" "$3" | base64 -w0)"
  printf '{"auths":{"%s":{"auth":"%s"}}%s}\n' "$1" "$auth" "${4:-}" >"$DOCKER_CONFIG/config.json"
}

suite() { # NAME — against the registry started last
  local name="$1" host="$XB_REGISTRY_HOST" user="$XB_REGISTRY_USER" pass="$XB_REGISTRY_PASS"
  local skopeo_args=(--creds "$user:$pass") skopeo_src=(--src-creds "$user:$pass")
  if [[ -n "$XB_REGISTRY_CERT_DIR" ]]; then
    # Without the CA the certificate is refused (no silent fallback to HTTP).
    write_auths "$host" "$user" "$pass"
    run_x untrusted imagetools inspect "$host/$name/app:a"
    xb_assert_eq 1 "$untrusted_rc" "$name: exit code with an untrusted certificate"
    xb_assert_contains "$untrusted_err" "certificate" "$name: untrusted error"
    xb_assert_contains "$untrusted_err" "certs.d/$host/ca.crt" "$name: untrusted hint"
    # Trust the test CA the way docker does: certs.d/<host:port>/ca.crt.
    export XDG_CONFIG_HOME="$XB_TMP/xdg"
    mkdir -p "$XDG_CONFIG_HOME/docker/certs.d/$host"
    cp "$XB_REGISTRY_CERT_DIR/ca.crt" "$XDG_CONFIG_HOME/docker/certs.d/$host/ca.crt"
    skopeo_args+=(--cert-dir "$XB_REGISTRY_CERT_DIR")
    skopeo_src+=(--src-cert-dir "$XB_REGISTRY_CERT_DIR")
  else
    skopeo_args+=(--tls-verify=false)
    skopeo_src+=(--src-tls-verify=false)
  fi
  SECRETS+=("$pass" "$(printf '%s:%s' "$user" "$pass" | base64 -w0)")

  # (a) credentials from config.json auths
  write_auths "$host" "$user" "$pass"
  run_x a imagetools create -t "$host/$name/app:a" "$SRC/busybox:amd64" "$SRC/busybox:arm64"
  [[ $a_rc == 0 ]] || xb_fail "$name: push with auths failed: $a_err"
  skopeo inspect --raw "${skopeo_args[@]}" "docker://$host/$name/app:a" >"$XB_TMP/$name-served.json"
  run_x raw imagetools inspect --raw "$host/$name/app:a"
  [[ $raw_rc == 0 ]] || xb_fail "$name: inspect --raw failed: $raw_err"
  "$X" imagetools inspect --raw "$host/$name/app:a" | cmp - "$XB_TMP/$name-served.json" ||
    xb_fail "$name: --raw differs from what the registry serves"
  # skopeo pulls every platform, verifying every digest.
  skopeo copy -q --all "${skopeo_src[@]}" "docker://$host/$name/app:a" "oci:$XB_TMP/$name-copy:a"

  # Same registry, another repository: blobs are mounted (the token then
  # needs pull on the source as well as push on the target).
  run_x mount imagetools create -t "$host/$name/mounted:1" "$host/$name/app:a"
  [[ $mount_rc == 0 ]] || xb_fail "$name: create by mounting failed: $mount_err"
  xb_assert_contains "$mount_err" "/v2/$name/mounted/blobs/uploads/?mount=" "$name: debug log"
  xb_assert_not_contains "$mount_err" "PUT https://$host/v2/$name/mounted/blobs/" "$name: debug log"
  xb_assert_not_contains "$mount_err" "PUT http://$host/v2/$name/mounted/blobs/" "$name: debug log"
  skopeo copy -q --all "${skopeo_src[@]}" "docker://$host/$name/mounted:1" "oci:$XB_TMP/$name-copy:m"

  # (b) a credential helper wins over a wrong auths entry
  : >"$XBTEST_HELPER_LOG"
  export XBTEST_HOST="$host" XBTEST_USER="$user" XBTEST_PASS="$pass"
  write_auths "$host" "$user" "not-the-password" ",\"credHelpers\":{\"$host\":\"xbtest\"}"
  run_x b imagetools create -t "$host/$name/app:b" "$SRC/busybox:amd64" "$SRC/busybox:arm64"
  [[ $b_rc == 0 ]] || xb_fail "$name: push with the credential helper failed: $b_err"
  xb_assert_contains "$(cat "$XBTEST_HELPER_LOG")" "get $host" "helper log"
  xb_assert_eq "$(sha256sum <"$XB_TMP/$name-served.json")" \
    "$(skopeo inspect --raw "${skopeo_args[@]}" "docker://$host/$name/app:b" | sha256sum)" \
    "$name: same index pushed with helper credentials"

  # wrong credentials: clear 401, exit code 1
  write_auths "$host" "$user" "wrong-$pass"
  SECRETS+=("wrong-$pass")
  run_x bad imagetools create -t "$host/$name/app:bad" "$SRC/busybox:amd64"
  xb_assert_eq 1 "$bad_rc" "$name: exit code with wrong credentials"
  xb_assert_contains "$bad_err" "401" "$name: error"
  xb_assert_contains "$bad_err" "$host" "$name: error"
  # no credentials at all: also a 401, naming the registry
  rm -f "$DOCKER_CONFIG/config.json"
  run_x anon imagetools inspect "$host/$name/app:a"
  xb_assert_eq 1 "$anon_rc" "$name: exit code without credentials"
  xb_assert_contains "$anon_err" "401" "$name: anonymous error"
  xb_log "$name: wrong credentials → $bad_err"
  unset XDG_CONFIG_HOME
}

SECRETS=()
xb_registry_start --tls --htpasswd "alice:basic-S3cret-pw" --name basic
suite basic
xb_registry_start --token "bob:token-S3cret-pw" --name token
suite token

# Not one credential in any output, including --debug logs.
for s in "${SECRETS[@]}"; do
  grep -qF -- "$s" "$ALL_OUTPUT" && xb_fail "a credential appears in the output: see $ALL_OUTPUT"
done
xb_log "scanned $(wc -l <"$ALL_OUTPUT") output lines for ${#SECRETS[@]} secrets"
