#pragma once
// Building what a bake file resolved to. The input is the `--print` JSON
// (buildx's shape: {"group": {...}, "target": {name: {...}}}), the contract
// between evaluation (bakefile/) and building: every target in it becomes a
// driver request, `contexts = { x = "target:y" }` links order them, and the
// whole set is one build on the embedded engine, so shared stages run once.

#include <nlohmann/json.hpp>

#include "plugin/build_runner.hpp"

namespace xbuild::plugin {

struct BakeUi {
  // progress, metadata file; --push, --load, --no-cache... reach the
  // targets as overrides (commands/bake.cpp print_flag_overrides).
  BuildUi build;
  driver::Execution execution = driver::Execution::fail_fast; // --execution
  size_t max_parallelism = 0; // --max-parallelism: targets building at once (0: no limit)
};

// --execution: "fail-fast" (default, also "") or "continue" (buildx's
// "defer-error" is accepted too); anything else is a usage error (125).
Result<driver::Execution> parse_execution(const std::string& value);

// What the user reads after a bake in which a target was not built. `names`
// and `outcomes` are parallel (request order); rows are sorted by name.
std::string bake_summary(const std::vector<std::string>& names,
                         const std::vector<driver::TargetOutcome>& outcomes,
                         driver::Execution execution);

// The string attribute `key` of a printed target, or `fallback`.
std::string string_of(const nlohmann::json& t, const char* key, std::string fallback = "");

// `--print` shows template characters escaped (`$${`, `%%{`) in the
// attributes buildx escapes; the build needs the values themselves.
std::string unescape_template(const std::string& s);

// Targets in an order where every `target:` link comes before its user.
Result<std::vector<std::string>> bake_build_order(const nlohmann::json& print);

// One target of the `--print` JSON as a driver request.
Result<driver::BuildRequest> bake_target_request(const std::string& name,
                                                 const nlohmann::json& target);

int run_bake_build(Context& ctx, const nlohmann::json& print, const BakeUi& ui);

} // namespace xbuild::plugin
