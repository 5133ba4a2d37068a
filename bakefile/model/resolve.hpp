#pragma once
// From a loaded Config to what the user asked for: group expansion,
// `inherits` resolution with buildx's merge order, and the `--print` JSON.

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "bakefile/model/overrides.hpp"
#include "bakefile/model/target.hpp"
#include "util/error.hpp"

namespace xbuild::bakefile {

// The target `name` with its parents merged in (left to right, each parent
// resolved first), its own attributes on top, normalised, inherits cleared.
// Cycles are cut silently, as in buildx; an unknown parent is an error.
// `--set` overrides apply to each target as it is resolved, parents
// included, before the child's own attributes are merged on top.
Result<Target> resolve_target(const Config& config, const std::string& name,
                              const std::vector<Override>& overrides = {});

// Target names reached from `names` (groups expanded recursively, groups
// shadowing targets of the same name), sorted and unique.
Result<std::vector<std::string>> expand_targets(const Config& config,
                                                const std::vector<std::string>& names);

// The `--print` document for the requested names (none means "default"):
// {"group": {...}, "target": {...}} with buildx's synthetic default group.
Result<nlohmann::json> print_definition(const Config& config, std::vector<std::string> names,
                                       const std::vector<Override>& overrides = {});

// buildx commands/bake.go: a non-empty SOURCE_DATE_EPOCH from the
// environment becomes the build arg SOURCE_DATE_EPOCH of every target in
// `print` that does not set that arg itself.
void add_source_date_epoch(nlohmann::json& print, const std::string& value);

// buildflags.CanonicalizeAttest: `--sbom true` → "type=sbom,disabled=false",
// `--sbom generator=x` → "type=sbom,generator=x".
std::string canonical_attest(const std::string& type, const std::string& value);

} // namespace xbuild::bakefile
