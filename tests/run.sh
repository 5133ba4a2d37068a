#!/usr/bin/env bash
# Run the whole test suite: unit tests and end-to-end tests against a real
# registry, a private dockerd and QEMU.
#
#   tests/run.sh [--no-deps] [--sanitize] [--build-dir DIR] [CTEST_ARGS...]
#
#   --no-deps     do not check/install Debian packages first
#   --sanitize    build with ASan+UBSan (Debug) in build-asan/ unless --build-dir
#   CTEST_ARGS    passed to ctest, e.g. -L unit, -L e2e, -R registry
#
# Build dir: --build-dir, else $XBUILD_BUILD_DIR, else build/ (shared with
# packaging/setup.sh, so the second command reuses the first one's build).
# Extra CMake arguments: $XBUILD_CMAKE_ARGS (.ci/run adds -DXBUILD_WERROR=ON).
# Under CI=true a skipped test counts as a failure.
set -euo pipefail

source_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build_dir="${XBUILD_BUILD_DIR:-}"
deps=1 sanitize=0
ctest_args=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --no-deps) deps=0 ;;
    --sanitize) sanitize=1 ;;
    --build-dir) build_dir="${2:?--build-dir needs a directory}"; shift ;;
    -h | --help) sed -n '2,16s/^# \{0,1\}//p' "$0"; exit 0 ;;
    *) ctest_args+=("$1") ;;
  esac
  shift
done
if [[ -z "$build_dir" ]]; then
  build_dir="$source_dir/build"
  [[ $sanitize == 1 ]] && build_dir="$source_dir/build-asan"
fi

say() { printf '==> %s\n' "$*"; }

if [[ $deps == 1 ]]; then
  bash "$source_dir/packaging/setup.sh" --deps-only
fi

# shellcheck disable=SC2206 # XBUILD_CMAKE_ARGS is a list of arguments
cmake_args=(-DXBUILD_TESTS=ON ${XBUILD_CMAKE_ARGS:-})
if [[ $sanitize == 1 ]]; then
  cmake_args+=(-DXBUILD_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug)
fi
say "configuring $build_dir"
cmake -S "$source_dir" -B "$build_dir" -G Ninja "${cmake_args[@]}" >/dev/null
say "building"
ninja -C "$build_dir"

jobs="$(nproc 2>/dev/null || echo 2)"
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
say "running tests (ctest -j$jobs ${ctest_args[*]})"
cd "$build_dir"
ctest --output-on-failure --no-tests=error -j "$jobs" "${ctest_args[@]}"
