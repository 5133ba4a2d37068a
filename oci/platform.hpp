#pragma once
// Platforms (`os/arch[/variant]`): parsing, normalisation and matching.
//
// Normalisation follows containerd's rules, which buildx and Docker use, so
// that the spellings users and `uname -m` produce compare equal: aarch64 and
// arm64/v8 → arm64, x86_64 → amd64, armhf → arm/v7, armel → arm/v6, plain
// arm → arm/v7, i386 → 386, amd64/v1 → amd64.
//
// Matching has two modes. `exact` accepts only the same normalised
// os/arch/variant. `compatible` also accepts what the wanted platform can run
// natively, best first: amd64/v3 runs v2 and v1 (then 386), arm/v7 runs v6 and
// v5, and arm64 runs arm/v8, arm/v7, arm/v6, arm/v5 (an arm64 host with 32-bit
// support, as on most arm64 servers).

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "util/error.hpp"

namespace xbuild::oci {

// Invariant after parse()/normalized(): os and architecture are non-empty,
// lower-case and normalised; variant is normalised ("" when it is the
// architecture's default, e.g. arm64 and amd64/v1; always set for arm).
struct Platform {
  std::string os;           // "linux", "windows", "darwin"
  std::string architecture; // GOARCH: "amd64", "arm64", "arm", "386", "ppc64le", "s390x", "riscv64"
  std::string variant;      // "v7", "v3", …; "" = default
  std::string os_version;   // Windows build ("10.0.17763.1234"); usually ""
  std::vector<std::string> os_features;
  std::vector<std::string> features; // CPU features (Docker manifest lists only)

  // Parses "os/arch[/variant]", "os" (host architecture) or "arch" (linux),
  // and normalises. `where` names the source for error messages.
  static Result<Platform> parse(std::string_view text, std::string_view where = "");
  Platform normalized() const;
  // "linux/arm/v7", "linux/amd64"
  std::string str() const;

  bool operator==(const Platform&) const = default;
};

// The platform this process runs on (from uname), normalised.
Platform host_platform();

enum class PlatformMatch { exact, compatible };

// Rank of `candidate` for `wanted`: 0 = same platform, higher = a less
// preferred compatible one, nullopt = cannot be used. Both are normalised first.
std::optional<int> platform_match_rank(const Platform& wanted, const Platform& candidate,
                                       PlatformMatch mode = PlatformMatch::exact);
inline bool platform_matches(const Platform& wanted, const Platform& candidate,
                             PlatformMatch mode = PlatformMatch::exact) {
  return platform_match_rank(wanted, candidate, mode).has_value();
}

// Parses a comma-separated list ("linux/amd64,linux/arm64"), dropping duplicates
// after normalisation and keeping the first-seen order.
Result<std::vector<Platform>> parse_platform_list(std::string_view text);

} // namespace xbuild::oci
