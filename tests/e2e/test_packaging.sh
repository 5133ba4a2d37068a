#!/usr/bin/env bash
# packaging/install.sh puts the plugin where the docker CLI finds it (and is
# idempotent); the CPack .deb installs it into /usr/libexec/docker/cli-plugins
# and declares a Debian package for every shared library it links.
source "$(dirname "$0")/lib/common.sh"
xb_require_plugin_binary
xb_require_cmd docker docker.io
xb_require_cmd cpack cmake
xb_require_cmd dpkg-deb dpkg
installer="$XBUILD_SOURCE_DIR/packaging/install.sh"

# --- user install: $HOME/.docker/cli-plugins when DOCKER_CONFIG is unset ------
home="$XB_TMP/home"
mkdir -p "$home"
for round in 1 2; do
  out="$(env -u DOCKER_CONFIG HOME="$home" bash "$installer" --binary "$XBUILD_BIN")"
  xb_assert_contains "$out" "into $home/.docker/cli-plugins" "install.sh output (round $round)"
done
[[ -x "$home/.docker/cli-plugins/docker-xbuild" ]] || xb_fail "no executable plugin in $home/.docker/cli-plugins"
cmp -s "$XBUILD_BIN" "$home/.docker/cli-plugins/docker-xbuild" || xb_fail "the installed plugin differs from $XBUILD_BIN"
ls -A "$home/.docker/cli-plugins" | grep -q '^\.docker-xbuild' && xb_fail "install.sh left a temp file behind"
xb_assert_eq "$("$XBUILD_BIN" version)" "$(env -u DOCKER_CONFIG HOME="$home" docker xbuild version)" \
  "docker xbuild version after install.sh"

# DOCKER_CONFIG wins over HOME, as for the docker CLI.
bash "$installer" --binary "$XBUILD_BIN" >/dev/null
[[ -x "$DOCKER_CONFIG/cli-plugins/docker-xbuild" ]] || xb_fail "install.sh ignored DOCKER_CONFIG"

# A missing or wrong binary is refused with what to do.
xb_run r bash "$installer" --binary "$XB_TMP/nope"
[[ $r_rc -ne 0 ]] || xb_fail "install.sh accepted a missing binary"
xb_assert_contains "$r_err" "build it first" "install.sh error for a missing binary"
xb_run r bash "$installer" --binary /bin/true --dest "$XB_TMP/wrong"
[[ $r_rc -ne 0 ]] || xb_fail "install.sh accepted a binary that is not a plugin"
[[ ! -e "$XB_TMP/wrong/docker-xbuild" ]] || xb_fail "install.sh installed a binary that is not a plugin"

# --- the .deb ---------------------------------------------------------------------
[[ -f "$XBUILD_BUILD_DIR/CPackConfig.cmake" ]] || xb_fail "no CPackConfig.cmake in $XBUILD_BUILD_DIR"
(cd "$XB_TMP" && cpack -G DEB --config "$XBUILD_BUILD_DIR/CPackConfig.cmake" -B "$XB_TMP/deb" >"$XB_TMP/cpack.log" 2>&1) ||
  xb_fail "cpack failed: $(tail -n 20 "$XB_TMP/cpack.log")"
deb="$(ls "$XB_TMP"/deb/*.deb)"
xb_assert_contains "$(dpkg-deb -c "$deb")" "./usr/libexec/docker/cli-plugins/docker-xbuild" "the .deb contents"
mkdir -p "$XB_TMP/unpacked"
dpkg-deb -x "$deb" "$XB_TMP/unpacked"
plugin="$XB_TMP/unpacked/usr/libexec/docker/cli-plugins/docker-xbuild"
xb_assert_contains "$("$plugin" docker-cli-plugin-metadata)" '"SchemaVersion": "0.1.0"' "metadata of the packaged plugin"

depends="$(dpkg-deb -f "$deb" Depends)"
declared=" $(tr -d ' ' <<<"$depends" | tr ',|' '  ' | sed 's/([^)]*)//g') "
# Every declared package exists in Debian.
for pkg in $declared; do
  apt-cache show "$pkg" >/dev/null 2>&1 || dpkg-query -W "$pkg" >/dev/null 2>&1 ||
    xb_fail "the .deb depends on '$pkg', which no Debian archive known here provides"
done
# Every library the plugin links directly comes from a declared package or
# from a package one of them depends on.
also="$(for pkg in $declared; do dpkg-query -W -f='${Depends}, ${Pre-Depends}\n' "$pkg" 2>/dev/null; done |
  tr ',|' '\n\n' | sed 's/([^)]*)//g; s/:any//; s/ //g' | sort -u | tr '\n' ' ')"
for lib in $(readelf -d "$plugin" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'); do
  # awk reads all of ldconfig's output (no early `exit`): under pipefail an
  # early exit made ldconfig die of SIGPIPE now and then (exit 141).
  path="$(ldconfig -p | awk -v l="$lib" '!p && $1 == l && /x86-64|x86_64/ {p = $NF} END {print p}')"
  [[ -n "$path" ]] || path="$(ldconfig -p | awk -v l="$lib" '!p && $1 == l {p = $NF} END {print p}')"
  [[ -n "$path" ]] || xb_fail "cannot find $lib, which the plugin links"
  owner="$(dpkg -S "$(readlink -f "$path")" 2>/dev/null || dpkg -S "$path" 2>/dev/null)" || true
  owner="${owner%%:*}"
  [[ -n "$owner" ]] || xb_fail "no Debian package owns $path ($lib)"
  [[ "$declared $also " == *" $owner "* ]] ||
    xb_fail "the plugin links $lib from package $owner, but the .deb does not declare it (Depends: $depends)"
done
