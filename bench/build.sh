#!/usr/bin/env bash
# Build benchmark: the embedded engine against `buildah bud --layers`
# (overlay storage) and `DOCKER_BUILDKIT=0 docker build` on a private dockerd,
# same Dockerfiles, same base image from a local docker-registry, same run.
# Cases (issue #5): a cold 13-step build, a no-op rebuild, a rebuild after
# changing one file in a 20,000-file context, and a multi-stage build with two
# independent 3 s stages and an unused 5 s stage (buildah with --jobs 1).
# Prints seconds, peak RSS (KiB) and ratios ours/peer (smaller is better).
#
#   bench/build.sh [BUILD_DIR]      env: FILES (20000), CASES ("cold onefile multistage")
set -Eeuo pipefail
: "${XBUILD_SOURCE_DIR:=$(cd "$(dirname "$0")/.." && pwd)}"
: "${XBUILD_BUILD_DIR:=${1:-$XBUILD_SOURCE_DIR/build}}"
export XBUILD_SOURCE_DIR XBUILD_BUILD_DIR
source "$XBUILD_SOURCE_DIR/tests/e2e/lib/common.sh"
source "$XB_E2E_LIB/registry.sh"
source "$XB_E2E_LIB/dockerd.sh"
source "$XBUILD_SOURCE_DIR/tests/e2e/tools/seed_images.sh"
XB_TEST_NAME=bench_build
X="$XBUILD_BUILD_DIR/docker-xbuild"
[[ -x "$X" ]] || xb_fail "build it first: ninja -C $XBUILD_BUILD_DIR docker-xbuild"
xb_require_root "the RUN sandbox, buildah and dockerd"
xb_require_cmd buildah buildah
FILES="${FILES:-20000}"
CASES="${CASES:-cold onefile multistage}"
want() { [[ " $CASES " == *" $1 "* ]]; }

xb_registry_start --name bench
REG="$XB_REGISTRY_HOST"
BASE="$REG/base/bb:latest"
xb_seed_busybox "$BASE" amd64 >/dev/null
xb_dockerd_start --insecure-registry "$REG"
"$X" create --name bench --driver local --driver-opt "root=$XB_TMP/xbuild-state" >/dev/null
export XBUILD_BUILDER=bench
BUILDAH=(buildah --root "$XB_TMP/buildah-root" --runroot "$XB_TMP/buildah-run" --storage-driver overlay)

declare -A T R
measure() { # KEY CMD… : records seconds and peak RSS of CMD
  local key="$1"
  shift
  # Start every measurement with no dirty pages left by the previous tool:
  # otherwise one tool's write-back (20,000 files from the peer before it)
  # lands in the next one's time.
  sync
  /usr/bin/time -f "%e %M" -o "$XB_TMP/time" "$@" >"$XB_TMP/$key.log" 2>&1 ||
    xb_fail "$key failed: $(tail -5 "$XB_TMP/$key.log")"
  read -r T[$key] R[$key] <"$XB_TMP/time"
}
ours() { measure "$1" "$X" build --progress plain "${@:2}"; }
bah() { measure "$1" "${BUILDAH[@]}" bud --tls-verify=false --layers -q "${@:2}"; }
dock() { measure "$1" env DOCKER_BUILDKIT=0 docker build -q "${@:2}"; }

# --- case 1+2: cold 13-step build, then a no-op rebuild ----------------------
if want cold; then
c13="$XB_TMP/c13"
mkdir -p "$c13/src"
for i in $(seq 1 50); do head -c 4096 /dev/urandom >"$c13/src/f$i"; done
cat >"$c13/Dockerfile" <<DOCKERFILE
FROM $BASE
ENV APP=/app
WORKDIR /app
COPY src/ /app/src/
RUN mkdir -p /app/out && cat /app/src/* | md5sum > /app/out/sum
RUN for i in \$(seq 1 200); do echo line \$i; done > /app/out/lines
ARG VERSION=1
LABEL version=\$VERSION
RUN echo "\$VERSION" > /app/out/version
COPY Dockerfile /app/Dockerfile
RUN ls -la /app > /app/out/listing
EXPOSE 8080
CMD ["cat", "/app/out/sum"]
DOCKERFILE
ours cold_ours "$c13"
bah cold_buildah "$c13"
dock cold_docker "$c13"
ours noop_ours "$c13"
bah noop_buildah "$c13"
dock noop_docker "$c13"
fi

# --- case 3: one changed file in a large context -----------------------------
if want onefile; then
big="$XB_TMP/big"
mkdir -p "$big/ctx"
python3 - "$big/ctx" "$FILES" <<'PY'
import os, sys
root, n = sys.argv[1], int(sys.argv[2])
for i in range(n):
    d = os.path.join(root, f"d{i // 500}")
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, f"f{i}.txt"), "w") as f:
        f.write(f"file {i}\n")
PY
printf 'FROM %s\nCOPY ctx /ctx\nRUN find /ctx -type f | wc -l > /count\n' "$BASE" >"$big/Dockerfile"
ours big_warm_ours "$big"
bah big_warm_buildah "$big"
dock big_warm_docker "$big"
echo "changed" >>"$big/ctx/d7/f3500.txt"
ours onefile_ours "$big"
bah onefile_buildah "$big"
dock onefile_docker "$big"
fi

# --- case 4: two independent 3 s stages, an unused 5 s stage -----------------
if want multistage; then
ms="$XB_TMP/ms"
mkdir -p "$ms"
cat >"$ms/Dockerfile" <<DOCKERFILE
FROM $BASE AS one
RUN sleep 3 && echo one > /one
FROM $BASE AS two
RUN sleep 3 && echo two > /two
FROM $BASE AS unused
RUN sleep 5 && echo never > /never
FROM $BASE
COPY --from=one /one /one
COPY --from=two /two /two
DOCKERFILE
ours multistage_ours --no-cache "$ms"
bah multistage_buildah --no-cache --jobs 1 "$ms"
dock multistage_docker --no-cache "$ms"
fi

ratio() { python3 -c "import sys; a,b=float(sys.argv[1]),float(sys.argv[2]); print(f'{a/b:.2f}' if b>0 else 'n/a')" "$1" "$2"; }
printf '\n%-12s %10s %10s %10s %9s %9s   %s\n' case ours buildah docker "/buildah" "/docker" "peak RSS KiB ours/buildah/docker"
for c in cold noop onefile multistage; do
  [[ -n "${T[${c}_ours]:-}" ]] || continue
  printf '%-12s %9ss %9ss %9ss %9s %9s   %s/%s/%s\n' "$c" "${T[${c}_ours]}" "${T[${c}_buildah]}" \
    "${T[${c}_docker]}" "$(ratio "${T[${c}_ours]}" "${T[${c}_buildah]}")" \
    "$(ratio "${T[${c}_ours]}" "${T[${c}_docker]}")" "${R[${c}_ours]}" "${R[${c}_buildah]}" "${R[${c}_docker]}"
done
echo "targets: noop <= 0.5 x the faster peer; onefile <= 0.5 x buildah; multistage <= 0.6 x buildah --jobs 1; cold <= 1.0 x buildah"
