#include "driver/builders.hpp"

#include <cstdlib>
#include <set>
#include <unistd.h>

#include "util/fs.hpp"
#include "util/strings.hpp"

namespace xbuild::driver {

const std::vector<std::string>& driver_names() {
  static const std::vector<std::string> k_names = {"local", "docker", "container", "remote"};
  return k_names;
}

Result<std::string> normalize_driver(const std::string& driver) {
  std::string d = util::to_lower(driver);
  if (d.empty())
    return std::string("local");
  if (d == "docker-container")
    return std::string("container");
  for (const auto& n : driver_names())
    if (n == d)
      return d;
  std::string msg = "failed to find driver \"" + driver + "\"; drivers: " +
                    util::join(driver_names(), ", ");
  if (auto guess = util::closest_match(d, driver_names()); !guess.empty())
    msg += " (did you mean \"" + guess + "\"?)";
  return fail(msg);
}

Result<void> validate_driver_opts(const std::string& driver,
                                  const std::map<std::string, std::string>& opts) {
  static const std::map<std::string, std::set<std::string>> k_allowed = {
      {"local", {"root", "max-parallelism", "default-load"}},
      {"docker", {}},
      {"container",
       {"network", "image", "memory", "memory-swap", "cpu-period", "cpu-quota", "cpu-shares",
        "cpuset-cpus", "cpuset-mems", "cgroup-parent", "restart-policy", "default-load"}},
      {"remote", {"servername", "cacert", "cert", "key", "default-load"}},
  };
  const auto& allowed = k_allowed.at(driver);
  for (const auto& [key, value] : opts) {
    if (driver == "container" && key.starts_with("env."))
      continue;
    if (!allowed.count(key))
      return fail("invalid driver option " + key + " for " + driver + " driver" +
                  (allowed.empty() ? " (it takes no options)" : ""));
    if (driver == "remote" && key != "servername" && key != "default-load" &&
        !std::filesystem::path(value).is_absolute())
      return fail("driver option " + key + " of the remote driver must be an absolute path, got " +
                  value);
  }
  if (driver == "remote") {
    bool cert = opts.count("cert"), key = opts.count("key");
    if (cert != key)
      return fail("tls enabled, but missing keys: cert and key must be given together");
  }
  return {};
}

NodeGroup implicit_default_builder() {
  NodeGroup g;
  g.name = k_default_builder;
  g.driver = "local";
  g.nodes.push_back(Node{k_default_builder, "", {}, {}, {}, {}});
  return g;
}

Result<NodeGroup> resolve_builder(const BuilderStore& store, const std::string& requested,
                                  const std::string& endpoint_key) {
  auto by_name = [&](const std::string& name) -> Result<NodeGroup> {
    if (util::to_lower(name) == k_default_builder)
      return implicit_default_builder();
    auto found = TRY(store.get(name));
    if (!found)
      return fail("no builder \"" + name + "\" found; list builders with `docker xbuild ls` or " +
                  "create one with `docker xbuild create --name " + name + "`");
    return *found;
  };
  if (!requested.empty())
    return by_name(requested);
  if (auto cur = TRY(store.current()); cur && (cur->global || cur->key == endpoint_key)) {
    if (cur->name == k_default_builder)
      return implicit_default_builder();
    if (auto g = TRY(store.get(cur->name)); g)
      return *g;
  }
  if (auto def = TRY(store.default_for(endpoint_key)); def) {
    if (auto g = TRY(store.get(*def)); g)
      return *g;
  }
  return implicit_default_builder();
}

std::filesystem::path local_state_dir(const NodeGroup& group) {
  if (!group.nodes.empty()) {
    auto it = group.nodes.front().driver_opts.find("root");
    if (it != group.nodes.front().driver_opts.end())
      return it->second;
  }
  if (::geteuid() == 0)
    return std::filesystem::path("/var/lib/docker-xbuild") / group.name;
  const char* xdg = std::getenv("XDG_DATA_HOME");
  std::filesystem::path base = xdg && *xdg ? std::filesystem::path(xdg)
                                           : std::filesystem::path(util::home_dir()) / ".local" / "share";
  return base / "docker-xbuild" / group.name;
}

} // namespace xbuild::driver
