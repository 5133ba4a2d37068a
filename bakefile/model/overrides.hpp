#pragma once
// `--set pattern.key[.sub]=value` overrides (buildx bake.go newOverrides /
// AddOverrides): parsed once, then applied to every target whose name
// matches the pattern while it is resolved, parents included.

#include <map>
#include <string>
#include <vector>

#include "bakefile/model/target.hpp"
#include "util/error.hpp"

namespace xbuild::bakefile {

struct Override {
  std::string pattern; // glob over target names (Go path.Match)
  std::string key;     // "tags", "args", "no-cache", ...
  std::string sub;     // the K of args.K, labels.K, contexts.K, extra-hosts.K
  std::vector<std::string> values; // repeated --set of one key accumulate
  bool append = false;             // `+=`
};

// Parses the --set flags in order. `env` answers `args.K` given without a
// value (skipped when K is unset there).
Result<std::vector<Override>> parse_overrides(const std::vector<std::string>& sets,
                                              const std::map<std::string, std::string>& env);

// Applies the overrides whose pattern matches `t.name`.
Result<void> apply_overrides(Target& t, const std::vector<Override>& overrides);

// Fails with buildx's message when a pattern matches no target.
Result<void> check_override_patterns(const Config& config, const std::vector<Override>& overrides);

} // namespace xbuild::bakefile
