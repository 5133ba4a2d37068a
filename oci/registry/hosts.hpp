#pragma once
// How to reach a registry host: scheme and TLS material.
//
// Rules (Docker's and BuildKit's):
// - HTTPS with verification against the system roots plus the `*.crt` files
//   of `<certs.d>/<host[:port]>/`; a `*.cert` + `*.key` pair there is the
//   client certificate. certs.d dirs searched: /etc/docker/certs.d and
//   $XDG_CONFIG_HOME/docker/certs.d (rootless Docker's place).
// - Local hosts (localhost, *.localhost, 127.0.0.0/8, ::1) may use plain
//   HTTP: HTTPS is tried first, then HTTP if the TLS handshake fails.
// - Hosts listed as insecure (RegistryHostsOptions::insecure_hosts, or
//   XBUILD_INSECURE_REGISTRIES=host[:port],…) skip certificate verification
//   and may fall back to plain HTTP likewise.

#include <filesystem>
#include <string>
#include <vector>

#include "util/error.hpp"
#include "util/http.hpp"

namespace xbuild::oci::registry {

struct RegistryHostsOptions {
  std::vector<std::string> insecure_hosts;
  std::vector<std::filesystem::path> certs_dirs; // empty = the defaults above
};

// Adds insecure hosts from XBUILD_INSECURE_REGISTRIES and the default certs dirs.
RegistryHostsOptions hosts_options_from_env();

struct HostConfig {
  std::string host;         // host[:port] as API requests address it
  util::TlsOptions tls;     // verification and material for HTTPS
  bool allow_http = false;  // plain HTTP may be tried when HTTPS fails
  bool certs_found = false; // a certs.d dir exists for this host
};

Result<HostConfig> resolve_host(const std::string& host, const RegistryHostsOptions& options);

// localhost, *.localhost, 127.x.x.x, ::1 (with or without a port).
bool is_local_host(const std::string& host);

} // namespace xbuild::oci::registry
