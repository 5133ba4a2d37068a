# `cpack -G DEB` in the build dir makes a .deb that installs the plugin into
# /usr/libexec/docker/cli-plugins and declares its Debian runtime libraries.
set(CPACK_PACKAGE_NAME docker-xbuild)
set(CPACK_PACKAGE_VENDOR "docker-xbuild developers")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "Docker CLI plugin for extended builds (buildx-compatible)")
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_GENERATOR DEB)
set(CPACK_DEBIAN_PACKAGE_MAINTAINER "docker-xbuild developers <xbuild@localhost>")
set(CPACK_DEBIAN_PACKAGE_SECTION admin)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_DEPENDS
  "libc6, libstdc++6, libcurl4, libssl3, libyaml-cpp0.7, libspdlog1.10, libfmt9, libarchive13, libzstd1, zlib1g, libsqlite3-0, libcrypt1")
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "docker.io | docker-ce-cli, qemu-user-static")
include(CPack)
