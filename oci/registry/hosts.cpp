#include "oci/registry/hosts.hpp"

#include <algorithm>
#include <cstdlib>

#include "util/fs.hpp"
#include "util/strings.hpp"

namespace xbuild::oci::registry {
namespace {

std::string strip_port(const std::string& host) {
  if (!host.empty() && host.front() == '[')
    return host.substr(0, host.find(']') + 1);
  auto colon = host.rfind(':');
  if (colon != std::string::npos && host.find(':') == colon)
    return host.substr(0, colon);
  return host;
}

// Loads one certs.d/<host> dir: CAs appended, at most one client pair.
Result<void> load_certs_dir(const std::filesystem::path& dir, HostConfig& cfg) {
  std::vector<std::filesystem::path> files;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec))
    files.push_back(entry.path());
  std::sort(files.begin(), files.end());
  for (const auto& f : files) {
    auto ext = f.extension().string();
    if (ext == ".crt") {
      auto pem = util::read_file(f);
      if (!pem)
        return fail("cannot read CA certificate " + f.string() + ": " + pem.error().message);
      cfg.tls.extra_ca_pem += *pem;
      cfg.tls.extra_ca_pem += "\n";
    } else if (ext == ".cert") {
      auto key = f;
      key.replace_extension(".key");
      if (!std::filesystem::exists(key, ec))
        return fail("client certificate " + f.string() + " has no matching key " + key.string());
      cfg.tls.client_cert_file = f.string();
      cfg.tls.client_key_file = key.string();
    } else if (ext == ".key") {
      auto cert = f;
      cert.replace_extension(".cert");
      if (!std::filesystem::exists(cert, ec))
        return fail("client key " + f.string() + " has no matching certificate " + cert.string());
    }
  }
  return {};
}

} // namespace

bool is_local_host(const std::string& host) {
  std::string h = util::to_lower(strip_port(host));
  return h == "localhost" || util::ends_with(h, ".localhost") || util::starts_with(h, "127.") ||
         h == "[::1]" || h == "::1";
}

RegistryHostsOptions hosts_options_from_env() {
  RegistryHostsOptions o;
  if (const char* env = std::getenv("XBUILD_INSECURE_REGISTRIES"); env && *env)
    for (auto& h : util::split(env, ','))
      if (auto t = std::string(util::trim(h)); !t.empty())
        o.insecure_hosts.push_back(t);
  o.certs_dirs.emplace_back("/etc/docker/certs.d");
  if (const char* xdg = std::getenv("XDG_CONFIG_HOME"); xdg && *xdg)
    o.certs_dirs.push_back(std::filesystem::path(xdg) / "docker" / "certs.d");
  else
    o.certs_dirs.push_back(std::filesystem::path(util::home_dir()) / ".config" / "docker" /
                           "certs.d");
  return o;
}

Result<HostConfig> resolve_host(const std::string& host, const RegistryHostsOptions& options) {
  HostConfig cfg;
  cfg.host = host;
  bool insecure = std::find(options.insecure_hosts.begin(), options.insecure_hosts.end(), host) !=
                      options.insecure_hosts.end() ||
                  std::find(options.insecure_hosts.begin(), options.insecure_hosts.end(),
                            strip_port(host)) != options.insecure_hosts.end();
  cfg.tls.verify = !insecure;
  cfg.allow_http = insecure || is_local_host(host);
  for (const auto& base : options.certs_dirs) {
    std::error_code ec;
    auto dir = base / host;
    if (!std::filesystem::is_directory(dir, ec))
      continue;
    cfg.certs_found = true;
    TRY_VOID(load_certs_dir(dir, cfg));
  }
  return cfg;
}

} // namespace xbuild::oci::registry
