#pragma once
// Build checks (`--call=check`): BuildKit's Dockerfile lint rules.

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "engine/dockerfile/dockerignore.hpp"
#include "engine/dockerfile/stage_graph.hpp"

namespace xbuild::engine::dockerfile {

struct LintWarning {
  std::string rule;        // e.g. "FromAsCasing"
  std::string description; // what the rule is about
  std::string url;         // https://docs.docker.com/go/dockerfile/rule/<rule>/
  std::string detail;      // this occurrence
  int start_line = 0, end_line = 0;
};

// `# check=skip=A,B;error=true` (or build arg BUILDKIT_DOCKERFILE_CHECK).
struct CheckConfig {
  std::set<std::string> skip; // rule names; "all" skips every rule
  bool skip_all = false;
  bool error = false;         // warnings fail the build (exit code 1)
};
Result<CheckConfig> parse_check_config(std::string_view value);

struct LintInput {
  const ParseResult* ast = nullptr;
  const StageGraph* graph = nullptr;
  GlobalScope scope;
  const IgnoreMatcher* ignore = nullptr; // nullable
  // ENV of each stage's base image, by stage index, when known (a build has
  // resolved them; --call=check has not): avoids UndefinedVar for $PATH etc.
  std::map<size_t, std::vector<std::pair<std::string, std::string>>> image_env;
};

// Every rule in BuildKit's order of definition.
const std::vector<std::string>& lint_rule_names();

// Runs every rule not skipped, sorted by line then rule.
std::vector<LintWarning> lint(const LintInput& in, const CheckConfig& config);

} // namespace xbuild::engine::dockerfile
