# shellcheck shell=bash
# Registry fixture: a real `docker-registry` (distribution 2.8, Debian package
# docker-registry) on a free 127.0.0.1 port, with its own storage dir, stopped
# and removed at exit. Source after common.sh.
#
#   xb_registry_start [--tls] [--htpasswd USER:PASS] [--token USER:PASS]
#                     [--anonymous-pull] [--name NAME]
#
#   --tls             HTTPS with a CA and server cert made by openssl now
#   --htpasswd U:P    basic auth from an htpasswd file (bcrypt)
#   --token U:P       token auth: a token server (token_server.py) issues
#                     RS256 JWTs to U:P; the registry trusts its CA
#   --anonymous-pull  with --token: anonymous callers get pull-only tokens
#
# After it returns, these describe the registry just started:
#   XB_REGISTRY_HOST     127.0.0.1:PORT (what goes into image references)
#   XB_REGISTRY_URL      http(s)://127.0.0.1:PORT
#   XB_REGISTRY_STORAGE  the filesystem storage root
#   XB_REGISTRY_CA       CA certificate (PEM) when --tls, else empty
#   XB_REGISTRY_CERT_DIR a dir with ca.crt, for `skopeo --cert-dir` and
#                        docker's certs.d layout; empty without --tls
#   XB_REGISTRY_USER/XB_REGISTRY_PASS  the credentials, when auth is on
#   XB_REGISTRY_TOKEN_REALM, XB_REGISTRY_SERVICE  with --token
# Starting a second registry overwrites them: copy what you need first.

XB_REGISTRY_COUNT=0

# xb_make_ca DIR : CA key + self-signed CA certificate, DIR/ca.key DIR/ca.pem
xb_make_ca() {
  local dir="$1"
  mkdir -p "$dir"
  openssl req -x509 -newkey rsa:2048 -nodes -sha256 -days 2 \
    -keyout "$dir/ca.key" -out "$dir/ca.pem" -subj "/CN=xbuild test CA $$" \
    -addext "basicConstraints=critical,CA:TRUE" \
    -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
}

# xb_make_cert CA_DIR OUT_PREFIX CN [SAN] : key + cert signed by the CA,
# OUT_PREFIX.key and OUT_PREFIX.pem.
xb_make_cert() {
  local ca="$1" out="$2" cn="$3" san="${4:-}"
  openssl req -newkey rsa:2048 -nodes -sha256 -keyout "$out.key" -out "$out.csr" \
    -subj "/CN=$cn" 2>/dev/null
  local ext="$out.ext"
  {
    echo "basicConstraints=CA:FALSE"
    echo "keyUsage=critical,digitalSignature,keyEncipherment"
    if [[ -n "$san" ]]; then echo "subjectAltName=$san"; fi
  } >"$ext"
  openssl x509 -req -in "$out.csr" -CA "$ca/ca.pem" -CAkey "$ca/ca.key" -CAcreateserial \
    -days 2 -sha256 -extfile "$ext" -out "$out.pem" 2>/dev/null
  rm -f "$out.csr" "$ext"
}

xb_registry_start() {
  local tls=0 htpasswd="" token="" anon=0 name=""
  while [[ $# -gt 0 ]]; do
    case "$1" in
      --tls) tls=1 ;;
      --htpasswd) htpasswd="$2"; shift ;;
      --token) token="$2"; shift ;;
      --anonymous-pull) anon=1 ;;
      --name) name="$2"; shift ;;
      *) xb_fail "xb_registry_start: unknown option $1" ;;
    esac
    shift
  done
  [[ -n "$htpasswd" && -n "$token" ]] && xb_fail "xb_registry_start: --htpasswd and --token exclude each other"
  xb_require_cmd docker-registry docker-registry
  xb_require_cmd openssl openssl
  xb_require_cmd curl curl
  [[ -n "$htpasswd" ]] && xb_require_cmd htpasswd apache2-utils
  [[ -n "$token" ]] && xb_require_cmd python3 python3

  XB_REGISTRY_COUNT=$((XB_REGISTRY_COUNT + 1))
  local dir="$XB_TMP/registry-${name:-$XB_REGISTRY_COUNT}"
  mkdir -p "$dir/storage"
  XB_REGISTRY_STORAGE="$dir/storage"
  XB_REGISTRY_CA="" XB_REGISTRY_CERT_DIR="" XB_REGISTRY_USER="" XB_REGISTRY_PASS=""
  XB_REGISTRY_TOKEN_REALM="" XB_REGISTRY_SERVICE=""

  local scheme=http tls_conf="" auth_conf=""
  if [[ $tls == 1 ]]; then
    xb_make_ca "$dir/ca"
    xb_make_cert "$dir/ca" "$dir/server" 127.0.0.1 "IP:127.0.0.1,DNS:localhost"
    scheme=https
    XB_REGISTRY_CA="$dir/ca/ca.pem"
    XB_REGISTRY_CERT_DIR="$dir/certs.d"
    mkdir -p "$XB_REGISTRY_CERT_DIR"
    cp "$XB_REGISTRY_CA" "$XB_REGISTRY_CERT_DIR/ca.crt"
    tls_conf="  tls:
    certificate: $dir/server.pem
    key: $dir/server.key"
  fi

  if [[ -n "$htpasswd" ]]; then
    XB_REGISTRY_USER="${htpasswd%%:*}" XB_REGISTRY_PASS="${htpasswd#*:}"
    htpasswd -Bbn "$XB_REGISTRY_USER" "$XB_REGISTRY_PASS" >"$dir/htpasswd" 2>/dev/null
    auth_conf="auth:
  htpasswd:
    realm: xbuild-test-registry
    path: $dir/htpasswd"
  elif [[ -n "$token" ]]; then
    XB_REGISTRY_USER="${token%%:*}" XB_REGISTRY_PASS="${token#*:}"
    XB_REGISTRY_SERVICE="xbuild-test-registry"
    xb_make_ca "$dir/token-ca"
    xb_make_cert "$dir/token-ca" "$dir/token-signer" "xbuild token signer"
    local args=(--key "$dir/token-signer.key" --cert "$dir/token-signer.pem"
      --issuer xbuild-test-issuer --service "$XB_REGISTRY_SERVICE"
      --user "$token" --port-file "$dir/token.port")
    [[ $anon == 1 ]] && args+=(--anonymous-pull)
    xb_spawn token-server "$dir/token-server.log" python3 "$XB_E2E_LIB/token_server.py" "${args[@]}"
    xb_wait_for 15 "the token server to listen" test -s "$dir/token.port" ||
      xb_fail "the token server did not start; see $dir/token-server.log"
    XB_REGISTRY_TOKEN_REALM="http://127.0.0.1:$(cat "$dir/token.port")/token"
    auth_conf="auth:
  token:
    realm: $XB_REGISTRY_TOKEN_REALM
    service: $XB_REGISTRY_SERVICE
    issuer: xbuild-test-issuer
    rootcertbundle: $dir/token-ca/ca.pem"
  fi

  # The port is free when picked but may be taken before the registry binds
  # it; try a few ports rather than fail on that race.
  local attempt port pid
  for attempt in 1 2 3 4 5; do
    port="$(xb_free_port)"
    cat >"$dir/config.yml" <<EOF
version: 0.1
log:
  level: info
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: $dir/storage
  delete:
    enabled: true
  maintenance:
    uploadpurging:
      enabled: false
http:
  addr: 127.0.0.1:$port
  secret: xbuild-test-secret-$$-$attempt
$tls_conf
$auth_conf
EOF
    xb_spawn "registry $port" "$dir/registry.log" docker-registry serve "$dir/config.yml"
    pid=$XB_SPAWNED_PID
    XB_REGISTRY_HOST="127.0.0.1:$port"
    XB_REGISTRY_URL="$scheme://$XB_REGISTRY_HOST"
    local deadline=$((SECONDS + 20))
    until xb__registry_answers || ! kill -0 "$pid" 2>/dev/null || ((SECONDS >= deadline)); do
      sleep 0.2
    done
    if kill -0 "$pid" 2>/dev/null && xb__registry_answers; then
      xb_log "registry ${name:-#$XB_REGISTRY_COUNT} listening on $XB_REGISTRY_URL"
      export XB_REGISTRY_HOST XB_REGISTRY_URL XB_REGISTRY_STORAGE XB_REGISTRY_CA \
        XB_REGISTRY_CERT_DIR XB_REGISTRY_USER XB_REGISTRY_PASS XB_REGISTRY_TOKEN_REALM \
        XB_REGISTRY_SERVICE
      return 0
    fi
    kill -0 "$pid" 2>/dev/null && xb_fail "registry on $XB_REGISTRY_HOST runs but does not answer; see $dir/registry.log"
    xb_log "registry did not start on port $port (attempt $attempt); retrying"
  done
  xb_fail "docker-registry did not start; last log: $(tail -n 5 "$dir/registry.log")"
}

# Any HTTP answer on /v2/ (200 or an auth challenge) means it is serving.
xb__registry_answers() {
  local code
  code="$(xb_http_status "$XB_REGISTRY_URL/v2/" ${XB_REGISTRY_CA:+--cacert "$XB_REGISTRY_CA"})"
  [[ "$code" == 200 || "$code" == 401 ]]
}

# xb_registry_token SCOPE... : a bearer token from the token server, asked
# with the fixture's credentials (XB_TOKEN_ANONYMOUS=1 asks without them).
xb_registry_token() {
  local query="service=$XB_REGISTRY_SERVICE" s
  for s in "$@"; do query+="&scope=$s"; done
  local auth=(-u "$XB_REGISTRY_USER:$XB_REGISTRY_PASS")
  [[ "${XB_TOKEN_ANONYMOUS:-0}" == 1 ]] && auth=()
  curl -sf "${auth[@]}" "$XB_REGISTRY_TOKEN_REALM?$query" | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])'
}
