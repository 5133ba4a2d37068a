# shellcheck shell=bash
# The plugin as the docker CLI sees it. Source after common.sh.
#
#   xb_install_plugin [CONFIG_DIR]   copy $XBUILD_BIN into CONFIG_DIR/cli-plugins
#                                    (default: the test's private $DOCKER_CONFIG)
#   xb_project_version               the version in CMakeLists.txt's project()

xb_install_plugin() {
  local config="${1:-$DOCKER_CONFIG}"
  xb_require_plugin_binary
  mkdir -p "$config/cli-plugins"
  install -m 0755 "$XBUILD_BIN" "$config/cli-plugins/docker-xbuild"
}

xb_project_version() {
  sed -n 's/^project(docker-xbuild VERSION \([0-9.]*\).*/\1/p' "$XBUILD_SOURCE_DIR/CMakeLists.txt"
}
