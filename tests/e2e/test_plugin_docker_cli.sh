#!/usr/bin/env bash
# The Docker CLI plugin protocol with the real `docker` CLI: the plugin is
# listed, `docker xbuild version` reaches it, and docker's global flags and
# environment (--context, -H, -D, --config, DOCKER_HOST, DOCKER_CONTEXT,
# currentContext) reach the plugin and decide the endpoint it resolves.
source "$(dirname "$0")/lib/common.sh"
source "$XB_E2E_LIB/plugin.sh"
source "$XB_E2E_LIB/registry.sh" # for xb_make_ca / xb_make_cert
xb_require_cmd docker docker.io
xb_require_plugin_binary
xb_install_plugin

version="$(xb_project_version)"
[[ -n "$version" ]] || xb_fail "could not read the project version from CMakeLists.txt"

# --- metadata ----------------------------------------------------------------
meta="$("$XBUILD_BIN" docker-cli-plugin-metadata)"
check_meta() {
  python3 - "$version" <<'PY' <<<"$meta"
import json, sys
m = json.load(sys.stdin)
want = sys.argv[1]
assert m["SchemaVersion"] == "0.1.0", m
for key in ("Vendor", "Version", "ShortDescription", "URL"):
    assert isinstance(m.get(key), str) and m[key], f"metadata lacks {key}: {m}"
assert m["Version"].lstrip("v") == want, f"metadata Version {m['Version']} != project {want}"
PY
}
check_meta || xb_fail "plugin metadata is not what the docker CLI expects: $meta"
short="$(python3 -c 'import json,sys; print(json.load(sys.stdin)["ShortDescription"])' <<<"$meta")"

# --- listed and reachable --------------------------------------------------------
xb_assert_contains "$(docker --help 2>&1)" "xbuild*" "docker --help"
xb_assert_contains "$(docker --help 2>&1)" "$short" "docker --help"
out="$(docker xbuild version)"
[[ "$out" =~ ^docker-xbuild\ v?${version//./\\.}\ [0-9a-f]{7,40}$|^docker-xbuild\ v?${version//./\\.}\ unknown$ ]] ||
  xb_fail "docker xbuild version printed '$out', expected 'docker-xbuild v$version <commit>'"
xb_assert_eq "$("$XBUILD_BIN" version)" "$out" "standalone and plugin version output"

# --config: the plugin dir and our config dir come from the flag.
other="$XB_TMP/other-config"
xb_install_plugin "$other"
rm -rf "$DOCKER_CONFIG/cli-plugins"
xb_assert_eq "$out" "$(docker --config "$other" xbuild version)" "docker --config DIR xbuild version"
xb_install_plugin

# The endpoint the plugin resolved, from its debug line on stderr.
endpoint_of() { # docker args...
  local err
  err="$("$@" 2>&1 >/dev/null)" || xb_fail "'$*' failed: $err"
  grep -o 'docker endpoint: .*' <<<"$err" || xb_fail "'$*' printed no endpoint debug line: $err"
}

# --- precedence: --context > -H > DOCKER_HOST > DOCKER_CONTEXT > currentContext > default
docker context create ctx-flag --docker "host=unix://$XB_TMP/ctx-flag.sock" >/dev/null 2>&1
docker context create ctx-env --docker "host=unix://$XB_TMP/ctx-env.sock" >/dev/null 2>&1
docker context create ctx-current --docker "host=unix://$XB_TMP/ctx-current.sock" >/dev/null 2>&1
xb_make_ca "$XB_TMP/tls"
xb_make_cert "$XB_TMP/tls" "$XB_TMP/tls/client" client
docker context create ctx-tls --docker \
  "host=tcp://127.0.0.1:2376,ca=$XB_TMP/tls/ca.pem,cert=$XB_TMP/tls/client.pem,key=$XB_TMP/tls/client.key" >/dev/null 2>&1

ep="$(endpoint_of docker --context ctx-flag xbuild --debug version)"
xb_assert_contains "$ep" "context=ctx-flag host=unix://$XB_TMP/ctx-flag.sock" "--context"
ep="$(endpoint_of docker -c ctx-tls xbuild --debug version)"
xb_assert_contains "$ep" "context=ctx-tls host=tcp://127.0.0.1:2376 tls=true" "-c with a TLS context"
ep="$(endpoint_of docker -H "unix://$XB_TMP/flag-h.sock" xbuild --debug version)"
xb_assert_contains "$ep" "host=unix://$XB_TMP/flag-h.sock" "-H"
ep="$(endpoint_of docker --host "unix://$XB_TMP/flag-host.sock" -D xbuild version)"
xb_assert_contains "$ep" "host=unix://$XB_TMP/flag-host.sock" "--host with docker's -D"
ep="$(endpoint_of docker -H tcp://127.0.0.1:2376 --tlsverify --tlscacert "$XB_TMP/tls/ca.pem" \
  --tlscert "$XB_TMP/tls/client.pem" --tlskey "$XB_TMP/tls/client.key" xbuild --debug version)"
xb_assert_contains "$ep" "host=tcp://127.0.0.1:2376 tls=true" "-H tcp:// with --tlsverify and --tls* files"
ep="$(endpoint_of docker -H tcp://127.0.0.1:2375 xbuild --debug version)"
xb_assert_contains "$ep" "host=tcp://127.0.0.1:2375 tls=false" "-H tcp:// without TLS flags"
ep="$(DOCKER_HOST="unix://$XB_TMP/env-host.sock" endpoint_of docker xbuild --debug version)"
xb_assert_contains "$ep" "host=unix://$XB_TMP/env-host.sock" "DOCKER_HOST"
ep="$(DOCKER_HOST="unix://$XB_TMP/env-host.sock" endpoint_of docker -H "unix://$XB_TMP/h-wins.sock" xbuild --debug version)"
xb_assert_contains "$ep" "host=unix://$XB_TMP/h-wins.sock" "-H over DOCKER_HOST"
ep="$(DOCKER_CONTEXT=ctx-env endpoint_of docker xbuild --debug version)"
xb_assert_contains "$ep" "context=ctx-env host=unix://$XB_TMP/ctx-env.sock" "DOCKER_CONTEXT"
docker context use ctx-current >/dev/null
ep="$(endpoint_of docker xbuild --debug version)"
xb_assert_contains "$ep" "context=ctx-current host=unix://$XB_TMP/ctx-current.sock" "currentContext in config.json"
ep="$(DOCKER_CONTEXT=ctx-env endpoint_of docker --context ctx-flag xbuild --debug version)"
xb_assert_contains "$ep" "context=ctx-flag" "--context over DOCKER_CONTEXT and currentContext"
docker context use default >/dev/null
ep="$(endpoint_of docker xbuild --debug version)"
xb_assert_contains "$ep" "context=default host=unix:///var/run/docker.sock" "no flags, no env"

# Standalone, the same flags work before the command name.
ep="$(endpoint_of "$XBUILD_BIN" --context ctx-flag --debug version)"
xb_assert_contains "$ep" "context=ctx-flag" "standalone --context"
