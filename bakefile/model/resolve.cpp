#include "bakefile/model/resolve.hpp"

#include <algorithm>
#include <set>

namespace xbuild::bakefile {

using nlohmann::json;

namespace {

Result<Target> resolve(const Config& config, const std::string& name,
                       const std::vector<Override>& overrides, std::set<std::string>& visiting) {
  auto it = config.targets.find(name);
  if (it == config.targets.end())
    return fail("failed to find target " + name);
  visiting.insert(name);
  Target acc;
  for (const std::string& parent : it->second.inherits) {
    if (visiting.count(parent))
      continue; // a target being resolved counts as empty (bake.go)
    Target p = TRY(resolve(config, parent, overrides, visiting));
    merge_target(acc, p);
  }
  Target own = it->second;
  own.inherits.clear();
  merge_target(acc, own);
  visiting.erase(name);
  acc.name = name;
  acc.inherits.clear();
  TRY_VOID(apply_overrides(acc, overrides));
  normalize_target(acc);
  return acc;
}

Result<void> expand(const Config& config, const std::string& name, std::set<std::string>& out,
                    std::set<std::string>& groups_seen) {
  if (auto g = config.groups.find(name); g != config.groups.end()) {
    if (!groups_seen.insert(name).second)
      return {}; // group cycles are guarded
    for (const std::string& member : g->second.targets)
      TRY_VOID(expand(config, member, out, groups_seen));
    return {};
  }
  if (!config.targets.count(name))
    return fail("failed to find target " + name);
  out.insert(name);
  return {};
}

void collect_groups(const Config& config, const std::string& name, json& groups) {
  auto g = config.groups.find(name);
  if (g == config.groups.end() || groups.contains(name))
    return;
  json entry = {{"targets", g->second.targets}};
  if (!g->second.description.empty())
    entry["description"] = g->second.description;
  groups[name] = entry;
  for (const std::string& member : g->second.targets)
    collect_groups(config, member, groups);
}

} // namespace

Result<Target> resolve_target(const Config& config, const std::string& name,
                              const std::vector<Override>& overrides) {
  std::set<std::string> visiting;
  return resolve(config, name, overrides, visiting);
}

Result<std::vector<std::string>> expand_targets(const Config& config,
                                                const std::vector<std::string>& names) {
  std::set<std::string> out, groups_seen;
  for (const std::string& n : names)
    TRY_VOID(expand(config, n, out, groups_seen));
  return std::vector<std::string>(out.begin(), out.end());
}

Result<json> print_definition(const Config& config, std::vector<std::string> names,
                              const std::vector<Override>& overrides) {
  TRY_VOID(check_override_patterns(config, overrides));
  if (names.empty())
    names.push_back("default");
  for (std::string& n : names)
    std::replace(n.begin(), n.end(), '.', '_');
  json groups = json::object();
  for (const std::string& n : names)
    collect_groups(config, n, groups);
  bool real_default = names == std::vector<std::string>{"default"} && config.groups.count("default");
  if (!real_default) {
    std::set<std::string> sorted(names.begin(), names.end());
    groups["default"] = {{"targets", std::vector<std::string>(sorted.begin(), sorted.end())}};
  }
  json targets = json::object();
  for (const std::string& t : TRY(expand_targets(config, names)))
    targets[t] = print_target(TRY(resolve_target(config, t, overrides)));
  json out = json::object();
  if (!groups.empty())
    out["group"] = groups;
  out["target"] = targets;
  return out;
}

} // namespace xbuild::bakefile
