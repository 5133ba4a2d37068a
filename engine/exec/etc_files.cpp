#include "engine/exec/etc_files.hpp"

#include "util/strings.hpp"

namespace xbuild::engine::exec {

Result<std::string> make_hosts_file(std::string_view hostname,
                                    const std::vector<std::string>& extra_hosts) {
  std::string out = "127.0.0.1\tlocalhost " + std::string(hostname) + "\n";
  out += "::1\tlocalhost ip6-localhost ip6-loopback\n";
  for (const auto& entry : extra_hosts) {
    // "name=ip" is buildx's spelling; "name:ip" Docker's. An IPv6 address
    // contains ':' itself, so split at the first separator.
    size_t sep = entry.find('=');
    if (sep == std::string::npos)
      sep = entry.find(':');
    if (sep == std::string::npos || sep == 0 || sep + 1 == entry.size())
      return fail("invalid extra host \"" + entry + "\": expected name=ip");
    std::string name = entry.substr(0, sep);
    std::string ip = entry.substr(sep + 1);
    if (ip.find_first_of(" \t\n") != std::string::npos ||
        name.find_first_of(" \t\n") != std::string::npos)
      return fail("invalid extra host \"" + entry + "\": whitespace is not allowed");
    out += ip + "\t" + name + "\n";
  }
  return out;
}

namespace {
bool is_loopback_nameserver(std::string_view line) {
  auto f = util::split(util::trim(line), ' ');
  if (f.size() < 2 || f[0] != "nameserver")
    return false;
  return util::starts_with(f[1], "127.") || f[1] == "::1";
}
} // namespace

std::string make_resolv_conf(std::string_view host_resolv_conf, NetworkMode network) {
  std::string out;
  bool has_nameserver = false;
  for (const auto& line : util::split(host_resolv_conf, '\n')) {
    if (network == NetworkMode::none && is_loopback_nameserver(line))
      continue;
    if (util::starts_with(util::trim(line), "nameserver"))
      has_nameserver = true;
    if (!line.empty())
      out += line + "\n";
  }
  if (!has_nameserver)
    out += "nameserver 8.8.8.8\nnameserver 8.8.4.4\n";
  return out;
}

} // namespace xbuild::engine::exec
