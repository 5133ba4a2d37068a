#include "oci/platform.hpp"

#include <sys/utsname.h>

#include <algorithm>

#include "util/strings.hpp"

namespace xbuild::oci {
namespace {

const std::vector<std::string> k_known_os = {
    "linux", "windows", "darwin", "freebsd", "netbsd", "openbsd", "solaris",  "illumos",
    "aix",   "android", "ios",    "plan9",   "js",     "wasip1",  "dragonfly"};

bool is_known_os(std::string_view os) {
  return std::find(k_known_os.begin(), k_known_os.end(), os) != k_known_os.end();
}

// Turns "7", "v7", "V7" into "v7"; other spellings are left alone.
std::string v_variant(std::string_view v) {
  std::string s = util::to_lower(v);
  if (!s.empty() && s.front() != 'v' && std::isdigit(static_cast<unsigned char>(s.front())))
    s = "v" + s;
  return s;
}

void normalize_arch(std::string& arch, std::string& variant) {
  arch = util::to_lower(arch);
  variant = util::to_lower(variant);
  if (arch == "i386" || arch == "i686" || arch == "x86") {
    arch = "386";
    variant.clear();
  } else if (arch == "x86_64" || arch == "x86-64" || arch == "amd64") {
    arch = "amd64";
    variant = v_variant(variant);
    if (variant == "v1")
      variant.clear();
  } else if (arch == "aarch64" || arch == "arm64") {
    arch = "arm64";
    variant = v_variant(variant);
    if (variant == "v8" || variant == "v8.0")
      variant.clear();
  } else if (arch == "armhf") {
    arch = "arm";
    variant = "v7";
  } else if (arch == "armel") {
    arch = "arm";
    variant = "v6";
  } else if (arch == "arm" || util::starts_with(arch, "armv")) {
    // "armv7l" from uname -m carries the variant in the name.
    if (arch != "arm") {
      std::string digits;
      for (char c : arch.substr(4))
        if (std::isdigit(static_cast<unsigned char>(c)))
          digits += c;
        else
          break;
      if (variant.empty())
        variant = digits;
      arch = "arm";
    }
    variant = variant.empty() ? "v7" : v_variant(variant);
  }
}

// The numeric level of "vN" (1 for ""), or -1 for other spellings.
int variant_level(std::string_view v) {
  if (v.empty())
    return 1;
  if (v.size() < 2 || v.front() != 'v')
    return -1;
  int n = 0;
  for (char c : v.substr(1)) {
    if (!std::isdigit(static_cast<unsigned char>(c)))
      return -1;
    n = n * 10 + (c - '0');
  }
  return n;
}

std::string in(std::string_view where) {
  return where.empty() ? std::string() : " in " + std::string(where);
}

} // namespace

Platform Platform::normalized() const {
  Platform p = *this;
  p.os = util::to_lower(p.os);
  if (p.os == "macos")
    p.os = "darwin";
  normalize_arch(p.architecture, p.variant);
  return p;
}

Result<Platform> Platform::parse(std::string_view text, std::string_view where) {
  std::string_view trimmed = util::trim(text);
  auto parts = util::split(trimmed, '/');
  auto bad = [&](const std::string& why) {
    return fail("invalid platform \"" + std::string(text) + "\"" + in(where) + ": " + why +
                "; expected os/arch[/variant], e.g. linux/amd64 or linux/arm/v7");
  };
  if (parts.size() > 3)
    return bad("too many '/' separated parts");
  for (auto& part : parts)
    if (part.empty())
      return bad("an empty part");
  Platform p;
  if (parts.size() == 1) {
    std::string one = util::to_lower(parts[0]);
    if (one == "local")
      return host_platform();
    if (is_known_os(one)) {
      Platform host = host_platform();
      p.os = one;
      p.architecture = host.architecture;
      p.variant = host.variant;
    } else {
      p.os = "linux";
      p.architecture = one;
    }
  } else {
    p.os = parts[0];
    p.architecture = parts[1];
    if (parts.size() == 3)
      p.variant = parts[2];
  }
  p = p.normalized();
  if (!is_known_os(p.os))
    return bad("unknown operating system \"" + p.os + "\"");
  for (char c : p.architecture + p.variant)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '.' && c != '-')
      return bad("unexpected character '" + std::string(1, c) + "'");
  return p;
}

std::string Platform::str() const {
  std::string s = os + "/" + architecture;
  if (!variant.empty())
    s += "/" + variant;
  return s;
}

Platform host_platform() {
  Platform p;
  p.os = "linux";
  struct utsname u {};
  if (uname(&u) == 0)
    p.architecture = u.machine;
  else
    p.architecture = "amd64";
  return p.normalized();
}

std::optional<int> platform_match_rank(const Platform& wanted_in, const Platform& candidate_in,
                                       PlatformMatch mode) {
  Platform wanted = wanted_in.normalized();
  Platform candidate = candidate_in.normalized();
  if (wanted.os != candidate.os)
    return std::nullopt;
  if (!wanted.os_version.empty() && !candidate.os_version.empty() &&
      wanted.os_version != candidate.os_version)
    return std::nullopt;
  if (wanted.architecture == candidate.architecture && wanted.variant == candidate.variant)
    return 0;
  if (mode == PlatformMatch::exact)
    return std::nullopt;

  const std::string& arch = wanted.architecture;
  int want_level = variant_level(wanted.variant);
  int cand_level = variant_level(candidate.variant);
  if (arch == candidate.architecture && (arch == "amd64" || arch == "arm")) {
    // Lower levels of the same architecture run, nearest first.
    if (want_level < 0 || cand_level < 0 || cand_level > want_level)
      return std::nullopt;
    return want_level - cand_level;
  }
  if (arch == "amd64" && candidate.architecture == "386")
    return 100;
  if (arch == "arm64" && candidate.architecture == "arm") {
    // arm64 (ARMv8) runs 32-bit arm up to v8, nearest first.
    if (cand_level < 0 || cand_level > 8)
      return std::nullopt;
    return 100 + (8 - cand_level);
  }
  return std::nullopt;
}

Result<std::vector<Platform>> parse_platform_list(std::string_view text) {
  std::vector<Platform> out;
  for (auto& item : util::split(text, ',')) {
    if (util::trim(item).empty())
      continue;
    Platform p = TRY(Platform::parse(item));
    if (std::find(out.begin(), out.end(), p) == out.end())
      out.push_back(std::move(p));
  }
  return out;
}

} // namespace xbuild::oci
