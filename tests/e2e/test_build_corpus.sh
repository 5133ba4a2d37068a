#!/usr/bin/env bash
# The Dockerfile corpus (tests/data/dockerfiles/*/): every case is built by the
# embedded engine on a private builder, loaded into a private dockerd and
# checked there with independent tools (docker run, docker image inspect,
# skopeo).
#
# A case is a folder: its Dockerfile and context files, an optional `flags`
# file (extra build arguments, one per line; @CASE@ is the case folder,
# @BASE@ the base image) and
# an `expect` script sourced in a subshell with these set:
#   IMG        the loaded image (corpus/<case>:latest)
#   CASE_DIR   the case folder;  BUILD_LOG  the build's plain progress
#   REG        the test registry; BASE      the busybox base image in it
# and these helpers: c_run ARGS... (docker run --rm IMG ARGS), c_cfg TEMPLATE
# (docker image inspect -f), c_eq / c_contains / c_not_contains, c_build ARGS
# (another build of the case, output in c_build_rc/_out/_err).
# A case with an `expect-error` file instead must fail to build, and the
# build's output must contain each non-empty line of that file.
# Every Dockerfile starts with `ARG BASE=busybox` and `FROM $BASE`; the test
# passes --build-arg BASE=<registry>/base/busybox:latest.
#
# XBUILD_CORPUS_CASES="a b" runs only those cases.
source "$(dirname "$0")/lib/common.sh"
source "$XB_E2E_LIB/registry.sh"
source "$XB_E2E_LIB/dockerd.sh"
source "$XBUILD_SOURCE_DIR/tests/e2e/tools/seed_images.sh"
xb_require_plugin_binary
xb_require_root "the RUN sandbox"
xb_require_cmd skopeo skopeo

CORPUS="$XBUILD_SOURCE_DIR/tests/data/dockerfiles"
xb_registry_start --name main
REG="$XB_REGISTRY_HOST"
BASE="$REG/base/busybox:latest"
X="$XBUILD_BIN"
xb_seed_busybox "$BASE" amd64 >/dev/null
xb_private_builder e2e
xb_dockerd_start
export REG BASE X
# For arg_env_passthrough: `--build-arg FROM_ENV` reads the environment.
export FROM_ENV=from-environment

c_run() { docker run --rm "$IMG" "$@"; }
c_cfg() { docker image inspect -f "$1" "$IMG"; }
c_eq() { xb_assert_eq "$1" "$2" "$CASE: ${3:-value}"; }
c_contains() { xb_assert_contains "$1" "$2" "$CASE: ${3:-output}"; }
c_not_contains() { xb_assert_not_contains "$1" "$2" "$CASE: ${3:-output}"; }
c_build() { xb_run c_build "$X" build --progress plain --build-arg "BASE=$BASE" "$@" "$CASE_DIR"; }

# case_flags CASE_DIR : the `flags` file's arguments, one per line.
case_flags() {
  CASE_FLAGS=()
  [[ -f "$1/flags" ]] || return 0
  local line
  while IFS= read -r line; do
    [[ -n "$line" ]] || continue
    line="${line//@CASE@/$1}"
    CASE_FLAGS+=("${line//@BASE@/$BASE}")
  done <"$1/flags"
}

cases=()
if [[ -n "${XBUILD_CORPUS_CASES:-}" ]]; then
  read -ra cases <<<"$XBUILD_CORPUS_CASES"
else
  for d in "$CORPUS"/*/; do cases+=("$(basename "$d")"); done
fi
((${#cases[@]} >= 1)) || xb_fail "no corpus cases under $CORPUS"

failed=()
start=$SECONDS
for CASE in "${cases[@]}"; do
  CASE_DIR="$CORPUS/$CASE"
  IMG="corpus/$CASE:latest"
  BUILD_LOG_FILE="$XB_TMP/$CASE.log"
  case_flags "$CASE_DIR"
  t0=$SECONDS
  rc=0
  "$X" build --progress plain --load -t "$IMG" --build-arg "BASE=$BASE" \
    "${CASE_FLAGS[@]}" "$CASE_DIR" >"$BUILD_LOG_FILE" 2>&1 || rc=$?
  if [[ -f "$CASE_DIR/expect-error" ]]; then
    ok=1
    [[ $rc != 0 ]] || { xb_log "$CASE: the build should have failed"; ok=0; }
    while IFS= read -r needle; do
      [[ -z "$needle" ]] || grep -qF -- "$needle" "$BUILD_LOG_FILE" ||
        { xb_log "$CASE: the error does not say '$needle':"$'\n'"$(tail -n 10 "$BUILD_LOG_FILE")"; ok=0; }
    done <"$CASE_DIR/expect-error"
    if [[ $ok == 1 ]]; then xb_log "$CASE: ok, refused as expected"; else failed+=("$CASE"); fi
    continue
  fi
  if [[ $rc != 0 ]]; then
    xb_log "$CASE: build failed (exit $rc):"$'\n'"$(tail -n 25 "$BUILD_LOG_FILE")"
    failed+=("$CASE")
    continue
  fi
  BUILD_LOG="$(cat "$BUILD_LOG_FILE")"
  export CASE CASE_DIR IMG BUILD_LOG
  if (source "$CASE_DIR/expect"); then
    xb_log "$CASE: ok ($((SECONDS - t0)) s)"
  else
    failed+=("$CASE")
  fi
done
xb_log "${#cases[@]} cases in $((SECONDS - start)) s"
((${#failed[@]} == 0)) || xb_fail "corpus cases failed: ${failed[*]}"
