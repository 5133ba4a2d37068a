# shellcheck shell=bash
# Private Docker Engine fixture: a `dockerd` (Debian's docker.io) with its own
# data root, exec root, pidfile, config file and socket, all inside the test's
# temp dir, no iptables and no bridge. It never touches a daemon the user
# already runs. Source after common.sh.
#
#   xb_dockerd_start [EXTRA_DOCKERD_ARGS...]
#       e.g. --insecure-registry "$XB_REGISTRY_HOST"
#
# After it returns:
#   XB_DOCKERD_HOST   unix://…/docker.sock (also exported as DOCKER_HOST, so
#                     `docker` and our plugin reach this daemon by default)
#   XB_DOCKERD_SOCK   the socket path
#   XB_DOCKERD_ROOT   its --data-root
# The daemon (and the containerd it started) are stopped at exit and their
# mounts removed with the temp dir.

xb_dockerd_start() {
  xb_require_root "starting a private dockerd"
  xb_require_cmd dockerd docker.io
  xb_require_cmd containerd containerd
  xb_require_cmd curl curl

  local dir="$XB_TMP/dockerd"
  mkdir -p "$dir/data" "$dir/exec"
  XB_DOCKERD_SOCK="$dir/docker.sock"
  XB_DOCKERD_HOST="unix://$XB_DOCKERD_SOCK"
  XB_DOCKERD_ROOT="$dir/data"
  # An empty config file: /etc/docker/daemon.json of the machine must not
  # change what the tests see.
  echo '{}' >"$dir/daemon.json"

  xb_spawn dockerd "$dir/dockerd.log" dockerd \
    --config-file "$dir/daemon.json" \
    --data-root "$dir/data" \
    --exec-root "$dir/exec" \
    --pidfile "$dir/dockerd.pid" \
    --host "$XB_DOCKERD_HOST" \
    --iptables=false --ip6tables=false --ip-masq=false --ip-forward=false \
    --bridge=none \
    --userland-proxy=false \
    "$@"
  local pid=$XB_SPAWNED_PID
  # The daemon may be slow to start on a loaded 2-core machine: containerd
  # comes up first, then the graph driver is probed.
  local deadline=$((SECONDS + 90))
  until [[ "$(curl -s --max-time 5 --unix-socket "$XB_DOCKERD_SOCK" http://localhost/_ping 2>/dev/null)" == OK ]]; do
    if ! kill -0 "$pid" 2>/dev/null; then
      xb_fail "dockerd exited during startup; its log ends with:"$'\n'"$(tail -n 15 "$dir/dockerd.log")"
    fi
    ((SECONDS < deadline)) || xb_fail "dockerd did not answer /_ping within 90s; see $dir/dockerd.log"
    sleep 0.3
  done
  export XB_DOCKERD_SOCK XB_DOCKERD_HOST XB_DOCKERD_ROOT
  export DOCKER_HOST="$XB_DOCKERD_HOST"
  xb_log "private dockerd listening on $XB_DOCKERD_HOST"
}

# xb_docker_import_rootfs TAR REF [PLATFORM] : load a root filesystem tarball
# (e.g. $XB_BUSYBOX_TAR) into the private daemon as image REF for PLATFORM
# (default linux/amd64). `docker import --platform` does not record the
# architecture on this Engine, so this writes a one-layer docker archive with
# the right config and `docker load`s it.
xb_docker_import_rootfs() {
  local tar="$1" ref="$2" platform="${3:-linux/amd64}"
  local os="${platform%%/*}" arch="${platform#*/}" variant=""
  if [[ "$arch" == */* ]]; then variant="${arch#*/}"; arch="${arch%%/*}"; fi
  local work
  work="$(mktemp -d "$XB_TMP/docker-archive.XXXXXX")"
  local diff_id
  diff_id="$(sha256sum "$tar" | cut -d' ' -f1)"
  mkdir -p "$work/$diff_id"
  cp "$tar" "$work/$diff_id/layer.tar"
  printf '{"architecture":"%s","os":"%s"%s,"config":{"Cmd":["/bin/sh"],"Env":["PATH=/usr/sbin:/usr/bin:/sbin:/bin"]},"rootfs":{"type":"layers","diff_ids":["sha256:%s"]}}' \
    "$arch" "$os" "${variant:+,\"variant\":\"$variant\"}" "$diff_id" >"$work/config.json"
  local config_id
  config_id="$(sha256sum "$work/config.json" | cut -d' ' -f1)"
  mv "$work/config.json" "$work/$config_id.json"
  printf '[{"Config":"%s.json","RepoTags":["%s"],"Layers":["%s/layer.tar"]}]' \
    "$config_id" "$ref" "$diff_id" >"$work/manifest.json"
  tar -C "$work" -cf - . | docker load -q >/dev/null
  rm -rf "$work"
}
