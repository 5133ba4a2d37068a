#include "bakefile/model/resolve.hpp"

#include <fnmatch.h>

#include <algorithm>
#include <regex>
#include <set>

namespace xbuild::bakefile {

using nlohmann::json;

namespace {

// Resolved targets by name, shared by the targets of one --print: a chain
// of inherits is resolved once, not once per descendant. Only results that
// did not meet a cycle are kept: a cut parent makes the result depend on
// where the resolution started.
using ResolveMemo = std::map<std::string, Target>;

Result<Target> resolve(const Config& config, const std::string& name,
                       const std::vector<Override>& overrides, std::set<std::string>& visiting,
                       ResolveMemo* memo, bool& cut) {
  if (memo)
    if (auto m = memo->find(name); m != memo->end())
      return m->second;
  auto it = config.targets.find(name);
  if (it == config.targets.end())
    return fail("failed to find target " + name);
  visiting.insert(name);
  bool cut_here = false;
  Target acc;
  for (const std::string& parent : it->second.inherits) {
    if (visiting.count(parent)) {
      cut_here = true;
      continue; // a target being resolved counts as empty (bake.go)
    }
    if (!config.targets.count(parent)) {
      auto spot = it->second.spots.find("inherits");
      return tl::unexpected(error_at_spot(spot == it->second.spots.end() ? nullptr : &spot->second,
                                          "failed to find target " + parent));
    }
    Target p = TRY(resolve(config, parent, overrides, visiting, memo, cut_here));
    merge_target(acc, p);
  }
  merge_target(acc, it->second); // merges attributes only, never inherits
  visiting.erase(name);
  acc.name = name;
  acc.inherits.clear();
  TRY_VOID(apply_overrides(acc, overrides));
  normalize_target(acc);
  if (memo && !cut_here)
    memo->emplace(name, acc);
  cut = cut || cut_here;
  return acc;
}

Result<void> expand(const Config& config, const std::string& name, std::set<std::string>& out,
                    std::set<std::string>& groups_seen) {
  if (auto g = config.groups.find(name); g != config.groups.end()) {
    if (!groups_seen.insert(name).second)
      return {}; // group cycles are guarded
    for (const std::string& member : g->second.targets) {
      // A group naming itself means the target of that name (bake.go's
      // group(): a member being expanded counts as a target), e.g. the
      // compose group "default" holding a service called "default".
      if (member == name && config.targets.count(member)) {
        out.insert(member);
        continue;
      }
      if (!config.groups.count(member) && !config.targets.count(member))
        return tl::unexpected(error_at_spot(&g->second.targets_spot,
                                            "failed to find target " + member));
      TRY_VOID(expand(config, member, out, groups_seen));
    }
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
  json& entry = groups[name];
  entry["targets"] = g->second.targets;
  if (!g->second.description.empty())
    entry["description"] = g->second.description;
  for (const std::string& member : g->second.targets)
    collect_groups(config, member, groups);
}

} // namespace

Result<Target> resolve_target(const Config& config, const std::string& name,
                              const std::vector<Override>& overrides) {
  std::set<std::string> visiting;
  bool cut = false;
  return resolve(config, name, overrides, visiting, nullptr, cut);
}

Result<std::vector<std::string>> expand_targets(const Config& config,
                                                const std::vector<std::string>& names) {
  std::set<std::string> out, groups_seen;
  for (const std::string& n : names)
    TRY_VOID(expand(config, n, out, groups_seen));
  return std::vector<std::string>(out.begin(), out.end());
}

namespace {

bool is_glob(const std::string& s) { return s.find_first_of("*?[") != std::string::npos; }

// A requested name with glob characters stands for every group and target
// it matches (Go path.Match, here fnmatch without flags: `*` never crosses
// `/`, and names hold none).
Result<std::vector<std::string>> expand_patterns(const Config& config,
                                                 const std::vector<std::string>& names) {
  std::vector<std::string> out;
  for (const std::string& n : names) {
    if (!is_glob(n) || config.groups.count(n) || config.targets.count(n)) {
      out.push_back(n);
      continue;
    }
    std::set<std::string> matched;
    for (const auto& [g, _] : config.groups)
      if (fnmatch(n.c_str(), g.c_str(), 0) == 0)
        matched.insert(g);
    for (const auto& [t, _] : config.targets)
      if (fnmatch(n.c_str(), t.c_str(), 0) == 0)
        matched.insert(t);
    if (matched.empty())
      return fail("could not find any target matching \"" + n + "\"");
    out.insert(out.end(), matched.begin(), matched.end());
  }
  return out;
}

std::string go_list(const json& platforms) {
  std::vector<std::string> items;
  for (const json& p : platforms)
    items.push_back(p.get<std::string>());
  std::string out = "[";
  for (size_t i = 0; i < items.size(); ++i)
    out += (i ? " " : "") + items[i];
  return out + "]";
}

bool is_subset(const json& small, const json& big) {
  return std::all_of(small.begin(), small.end(), [&](const json& p) {
    return std::find(big.begin(), big.end(), p) != big.end();
  });
}

// buildx loadLinks (bake.go): every `contexts = { x = "target:y" }` pulls y
// in (resolved with its overrides, output cacheonly, since only its user
// needs it), checks self links, loops and platform subsets, and passes y's
// entitlements on to the user.
Result<void> load_links(const Config& config, const std::string& name,
                        std::map<std::string, Target>& targets,
                        const std::vector<Override>& overrides, ResolveMemo& memo,
                        std::vector<std::string> visited) {
  visited.push_back(name);
  auto contexts = targets.at(name).attrs.find("contexts");
  if (contexts == targets.at(name).attrs.end() || !contexts->second.is_object())
    return {};
  json ctx = contexts->second; // the map may grow below; keep a copy
  auto spot_it = targets.at(name).spots.find("contexts");
  SourceSpot spot = spot_it == targets.at(name).spots.end() ? SourceSpot{} : spot_it->second;
  auto fail_here = [&](const std::string& message) {
    return tl::unexpected(error_at_spot(&spot, message));
  };
  for (const auto& [key, v] : ctx.items()) {
    if (!v.is_string() || !v.get<std::string>().starts_with("target:"))
      continue;
    std::string link = v.get<std::string>().substr(7);
    if (link == name)
      return fail_here("target " + link + " cannot link to itself");
    if (std::find(visited.begin(), visited.end(), link) != visited.end())
      return fail_here("infinite loop from " + name + " to " + link);
    if (!config.targets.count(link) && !targets.count(link))
      return fail_here("failed to find target " + link);
    if (!targets.count(link)) {
      std::set<std::string> visiting;
      bool cut = false;
      Target t2 = TRY(resolve(config, link, overrides, visiting, &memo, cut));
      t2.attrs["output"] = json::array({{{"type", "cacheonly"}}});
      targets.emplace(link, std::move(t2));
    }
    TRY_VOID(load_links(config, link, targets, overrides, memo, visited));
    Target& t = targets.at(name);
    const Target& t2 = targets.at(link);
    if (auto e = t2.attrs.find("entitlements"); e != t2.attrs.end() && e->second.is_array()) {
      json& mine = t.attrs["entitlements"];
      if (!mine.is_array())
        mine = json::array();
      for (const json& x : e->second)
        if (std::find(mine.begin(), mine.end(), x) == mine.end())
          mine.push_back(x);
    }
    auto p1 = t.attrs.find("platforms");
    auto p2 = t2.attrs.find("platforms");
    if (p1 != t.attrs.end() && p2 != t2.attrs.end() && p1->second.size() > 1 &&
        p2->second.size() > 1 && !is_subset(p1->second, p2->second))
      return fail_here("target " + link + " can't be used by " + name + " because its platforms " +
                       go_list(p1->second) + " are not a subset of " + go_list(p2->second));
  }
  return {};
}

// go-units ParseUlimit: "name=soft[:hard]" with a known name, soft <= hard.
Result<void> check_ulimit(const std::string& u) {
  static const std::set<std::string> k_names = {
      "core",   "cpu",    "data",  "fsize",  "locks",  "memlock",    "msgqueue", "nice",
      "nofile", "nproc",  "rss",   "rtprio", "rttime", "sigpending", "stack"};
  static const std::regex k_limits(R"(^(-?\d+)(:(-?\d+))?$)");
  size_t eq = u.find('=');
  if (eq == std::string::npos)
    return fail("invalid ulimit argument: " + u);
  if (!k_names.count(u.substr(0, eq)))
    return fail("invalid ulimit type: " + u.substr(0, eq));
  std::smatch m;
  std::string limits = u.substr(eq + 1);
  if (!std::regex_match(limits, m, k_limits))
    return fail("invalid ulimit argument: " + u);
  if (m[3].matched && std::stoll(m[1]) > std::stoll(m[3]))
    return fail("ulimit soft limit must be less than or equal to hard limit: " + m[1].str() +
                " > " + m[3].str());
  return {};
}

// The checks of buildx's toBuildOpt, which runs before --print prints.
Result<void> check_buildable(const Target& t) {
  auto str = [&](const char* key) {
    auto it = t.attrs.find(key);
    return it != t.attrs.end() && it->second.is_string() ? it->second.get<std::string>() : "";
  };
  if (str("context") == "-")
    return fail("context from stdin not allowed in bake");
  if (str("dockerfile") == "-")
    return fail("dockerfile from stdin not allowed in bake");
  // go-units RAMInBytes: a number, then an optional k/m/g/t/p, "i" and "b".
  static const std::regex k_membytes(R"(^(\d+(\.\d+)*) ?([kKmMgGtTpP])?[iI]?[bB]?$)");
  if (std::string shm = str("shm-size"); t.attrs.count("shm-size") && !std::regex_match(shm, k_membytes))
    return fail("invalid value " + shm + " for membytes key shm-size");
  if (auto u = t.attrs.find("ulimits"); u != t.attrs.end() && u->second.is_array())
    for (const json& e : u->second)
      TRY_VOID(check_ulimit(e.get<std::string>()));
  return {};
}

// buildx ReadTargets: every requested name joins the `default` group (a
// real one, or a synthetic one), except `default` itself when the real
// group exists; its members are then deduplicated and sorted. (buildx tests
// whether a default group was seen so far, so `multiarch default` and
// `default multiarch` differ there; the documented result,
// TestGroupTargetsWithDefault, is the same for both orders here.)
void add_default_group(const Config& config, const std::vector<std::string>& names,
                       json& groups) {
  for (const std::string& n : names) {
    if (config.groups.count("default") && n == "default")
      continue;
    if (!groups.contains("default"))
      groups["default"] = {{"targets", json::array()}};
    groups["default"]["targets"].push_back(n);
  }
  if (!groups.contains("default"))
    return;
  std::set<std::string> members;
  for (const json& m : groups["default"]["targets"])
    members.insert(m.get<std::string>());
  groups["default"]["targets"] = std::vector<std::string>(members.begin(), members.end());
}

} // namespace

Result<json> print_definition(const Config& config, std::vector<std::string> names,
                              const std::vector<Override>& overrides) {
  TRY_VOID(check_override_patterns(config, overrides));
  if (names.empty())
    names.push_back("default");
  for (std::string& n : names)
    std::replace(n.begin(), n.end(), '.', '_');
  names = TRY(expand_patterns(config, names));
  json groups = json::object();
  for (const std::string& n : names)
    collect_groups(config, n, groups);
  add_default_group(config, names, groups);
  std::map<std::string, Target> resolved;
  ResolveMemo memo;
  for (const std::string& t : TRY(expand_targets(config, names))) {
    std::set<std::string> visiting;
    bool cut = false;
    resolved.emplace(t, TRY(resolve(config, t, overrides, visiting, &memo, cut)));
  }
  std::vector<std::string> requested;
  for (const auto& [name, _] : resolved)
    requested.push_back(name);
  for (const std::string& name : requested)
    TRY_VOID(load_links(config, name, resolved, overrides, memo, {}));
  json targets = json::object();
  for (const auto& [name, t] : resolved) {
    TRY_VOID(check_buildable(t));
    targets[name] = print_target(t);
  }
  json out = json::object();
  if (!groups.empty())
    out["group"] = std::move(groups);
  out["target"] = std::move(targets);
  return out;
}

void add_source_date_epoch(json& print, const std::string& value) {
  if (value.empty() || !print.contains("target"))
    return;
  for (auto& [name, t] : print["target"].items()) {
    json& args = t["args"];
    if (!args.is_object())
      args = json::object();
    if (!args.contains("SOURCE_DATE_EPOCH"))
      args["SOURCE_DATE_EPOCH"] = value;
  }
}

std::string canonical_attest(const std::string& type, const std::string& value) {
  static const std::set<std::string> k_true = {"1", "t", "T", "TRUE", "true", "True"};
  static const std::set<std::string> k_false = {"0", "f", "F", "FALSE", "false", "False"};
  if (k_true.count(value))
    return "type=" + type + ",disabled=false";
  if (k_false.count(value))
    return "type=" + type + ",disabled=true";
  return "type=" + type + "," + value;
}

} // namespace xbuild::bakefile
