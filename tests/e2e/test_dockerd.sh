#!/usr/bin/env bash
# The private dockerd fixture: answers /_ping on its own socket, keeps its
# state in the test's temp dir, runs a container from the busybox fixture,
# and leaves no process behind when stopped.
source "$(dirname "$0")/lib/common.sh"
source "$XB_E2E_LIB/dockerd.sh"
source "$XB_E2E_LIB/busybox.sh"
xb_require_cmd docker docker.io

xb_dockerd_start
xb_assert_eq OK "$(curl -s --unix-socket "$XB_DOCKERD_SOCK" http://localhost/_ping)" "GET /_ping"
[[ "$XB_DOCKERD_SOCK" == "$XB_TMP"/* ]] || xb_fail "socket $XB_DOCKERD_SOCK is outside the test dir"

# The daemon's data root is the fixture's, not /var/lib/docker.
xb_assert_eq "$XB_DOCKERD_ROOT" "$(docker info --format '{{.DockerRootDir}}')" "DockerRootDir"
api="$(curl -s --unix-socket "$XB_DOCKERD_SOCK" http://localhost/version |
  python3 -c 'import json,sys; print(json.load(sys.stdin)["ApiVersion"])')"
[[ "$api" =~ ^1\.[0-9]+$ ]] || xb_fail "unexpected Engine API version '$api'"
xb_log "engine API $api"

# A container runs from the offline busybox fixture.
xb_busybox_rootfs amd64
xb_docker_import_rootfs "$XB_BUSYBOX_TAR" xbuild-e2e/busybox:amd64 linux/amd64
out="$(docker run --rm --network none xbuild-e2e/busybox:amd64 sh -c 'echo hello from $(uname -m)')"
xb_assert_eq "hello from x86_64" "$out" "output of a busybox container"

# Stopping really stops: the daemon and its containerd leave no process.
dockerd_pid="$(cat "$XB_TMP/dockerd/dockerd.pid")"
containerd_pids="$(pgrep -f "containerd --config $XB_TMP/dockerd/exec/" || true)"
[[ -n "$containerd_pids" ]] || containerd_pids="$(pgrep -f "$XB_TMP/dockerd/exec/containerd" || true)"
xb_stop_process "$dockerd_pid" dockerd
for p in $dockerd_pid $containerd_pids; do
  if kill -0 "$p" 2>/dev/null; then xb_fail "process $p of the private dockerd survived its stop"; fi
done
