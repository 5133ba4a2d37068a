// `docker xbuild create [OPTIONS] [CONTEXT|ENDPOINT]` (docs/commands/create.md).
// Adds, changes or removes a node of a named builder, with buildx's rules and
// error messages (commands/create.go, builder/builder.go).

#include <cstdio>
#include <memory>
#include <random>

#include "driver/builders.hpp"
#include "plugin/builder_access.hpp"
#include "plugin/commands/cli_helpers.hpp"
#include "plugin/commands/commands.hpp"
#include "util/fs.hpp"
#include "util/strings.hpp"

namespace xbuild::plugin {
namespace {

struct CreateOptions {
  std::string context_or_endpoint, name, driver, buildkitd_flags, buildkitd_config, node;
  std::vector<std::string> driver_opts, platforms;
  std::string timeout = "20s";
  bool append = false, leave = false, bootstrap = false, use = false;
};

void add_create(CLI::App& cmd, CreateOptions& o) {
  cmd.add_option("CONTEXT|ENDPOINT", o.context_or_endpoint, "Docker context or endpoint for the node");
  cmd.add_option("--name", o.name, "Builder instance name");
  cmd.add_option("--driver", o.driver, "Driver to use (local, docker, container, remote)");
  add_array(cmd, "--driver-opt", o.driver_opts, "Options for the driver");
  add_array(cmd, "--platform", o.platforms, "Fixed platforms for current node");
  cmd.add_option("--node", o.node, "Create/modify node with given name");
  cmd.add_option("--buildkitd-flags", o.buildkitd_flags, "Flags for the builder daemon");
  cmd.add_option("--buildkitd-config", o.buildkitd_config, "Builder daemon config file");
  cmd.add_option("--timeout", o.timeout, "Timeout for loading builder status");
  cmd.add_flag("--append", o.append, "Append a node to builder instead of changing it");
  cmd.add_flag("--leave", o.leave, "Remove a node from builder instead of changing it");
  cmd.add_flag("--bootstrap", o.bootstrap, "Boot builder after creation");
  cmd.add_flag("--use", o.use, "Set the current builder instance");
}

// docker's namesgenerator style: adjective_surname.
std::string generate_name() {
  static const char* k_left[] = {"brave", "clever", "eager", "gifted", "jolly", "keen",
                                 "lucid", "nifty", "quirky", "serene", "vibrant", "zealous"};
  static const char* k_right[] = {"hopper", "lovelace", "turing", "ritchie", "thompson",
                                  "knuth", "liskov", "hamilton", "torvalds", "dijkstra"};
  std::random_device rd;
  return std::string(k_left[rd() % std::size(k_left)]) + "_" + k_right[rd() % std::size(k_right)];
}

Result<std::map<std::string, std::string>> parse_driver_opts(const std::vector<std::string>& in) {
  std::map<std::string, std::string> out;
  for (const auto& arg : in)
    for (const auto& kv : util::split(arg, ',')) {
      auto eq = kv.find('=');
      if (eq == std::string::npos)
        return fail("invalid driver option " + kv + ", expected key=value");
      out[kv.substr(0, eq)] = kv.substr(eq + 1);
    }
  return out;
}

Result<std::vector<oci::Platform>> parse_platforms(const std::vector<std::string>& in) {
  std::vector<oci::Platform> out;
  for (const auto& arg : in)
    for (auto& p : TRY(oci::parse_platform_list(arg)))
      out.push_back(p);
  return out;
}

// A node that declares a platform takes it away from the other nodes
// (buildx validateDuplicates).
void take_platforms(driver::NodeGroup& g, const driver::Node& owner) {
  for (auto& n : g.nodes) {
    if (n.name == owner.name)
      continue;
    std::erase_if(n.platforms, [&](const oci::Platform& p) {
      return std::find(owner.platforms.begin(), owner.platforms.end(), p) != owner.platforms.end();
    });
  }
}

Result<driver::Node> make_node(const CreateOptions& o, const std::string& driver,
                               const driver::NodeGroup& g) {
  driver::Node n;
  n.name = o.node.empty() ? g.name + std::to_string(g.nodes.size()) : util::to_lower(o.node);
  n.endpoint = o.context_or_endpoint;
  if (driver == "remote" && n.endpoint.empty()) {
    if (const char* host = std::getenv("BUILDKIT_HOST"); host && *host)
      n.endpoint = host;
    else
      return fail("no remote endpoint provided; give the endpoint as an argument "
                  "(tcp://host:port, unix:///path) or set BUILDKIT_HOST");
  }
  n.driver_opts = TRY(parse_driver_opts(o.driver_opts));
  TRY_VOID(driver::validate_driver_opts(driver, n.driver_opts));
  n.platforms = TRY(parse_platforms(o.platforms));
  if (!o.buildkitd_flags.empty())
    for (auto& f : util::split(o.buildkitd_flags, ' '))
      if (!f.empty())
        n.flags.push_back(f);
  if (!o.buildkitd_config.empty()) {
    if (driver == "docker")
      return fail("setting config file is not supported for docker driver, use dockerd "
                  "configuration file");
    n.files["buildkitd.toml"] = TRY(util::read_file(o.buildkitd_config));
  }
  return n;
}

Result<driver::NodeGroup> apply(const CreateOptions& o, std::optional<driver::NodeGroup> existing,
                                const std::string& name, const std::string& driver) {
  if (o.leave) {
    if (!existing)
      return fail("failed to find instance \"" + name + "\" for leave");
    if (o.node.empty())
      return fail("leave requires a node name (--node)");
    auto& nodes = existing->nodes;
    auto it = std::find_if(nodes.begin(), nodes.end(),
                           [&](const driver::Node& n) { return n.name == util::to_lower(o.node); });
    if (it == nodes.end())
      return fail("node " + o.node + " not found");
    if (nodes.size() == 1)
      return fail("can not leave last node, do you want to rm instance instead?");
    nodes.erase(it);
    return *existing;
  }
  if (o.append && !existing)
    return fail("failed to find instance \"" + name + "\" for append");
  if (existing && existing->driver != driver)
    return fail("existing instance for \"" + name + "\" but has mismatched driver \"" + driver +
                "\"");
  if (existing && !o.append && o.node.empty())
    return fail("existing instance for \"" + name + "\" but no append mode, specify the node name "
                "to make changes for existing instances");
  driver::NodeGroup g = existing ? *existing : driver::NodeGroup{name, driver, false, {}};
  auto node = TRY(make_node(o, driver, g));
  auto same = std::find_if(g.nodes.begin(), g.nodes.end(),
                           [&](const driver::Node& n) { return n.name == node.name; });
  if (same == g.nodes.end() && !node.endpoint.empty())
    for (const auto& n : g.nodes)
      if (n.endpoint == node.endpoint)
        return fail("invalid duplicate endpoint " + node.endpoint);
  if (same != g.nodes.end()) {
    if (!o.append && o.node.empty())
      return fail("node " + node.name + " already exists");
    *same = node;
  } else {
    if (existing && !o.append)
      return fail("node " + o.node + " not found, did you mean to append?");
    g.nodes.push_back(node);
  }
  take_platforms(g, node);
  return g;
}

Result<std::string> create(Context& ctx, const CreateOptions& o) {
  if (o.append && o.name.empty())
    return fail("append requires a builder name");
  std::string name = o.name.empty() ? generate_name() : TRY(driver::validate_builder_name(o.name));
  if (name == driver::k_default_builder)
    return fail("default is a reserved name and cannot be used to identify builder instance");
  auto store = open_builder_store(ctx);
  auto existing = TRY(store.get(name));
  std::string driver_name =
      o.driver.empty() && existing ? existing->driver : TRY(driver::normalize_driver(o.driver));
  if (driver_name == "docker")
    return fail("the docker driver does not allow instances: its builder is the docker context "
                "itself; use `--builder <context name>` or another driver");
  auto group = TRY(apply(o, existing, name, driver_name));
  TRY_VOID(store.save(group));
  if (o.use)
    TRY_VOID(store.set_current(TRY(endpoint_key(ctx)), name, false, false));
  if (o.bootstrap && group.driver != "local")
    return fail("builder \"" + name + "\" was saved, but it cannot boot: " +
                node_status(group, group.nodes.front()).error);
  return name;
}

int run_create(Context& ctx, const CreateOptions& o) {
  auto name = create(ctx, o);
  if (!name)
    return print_error(name.error());
  std::printf("%s\n", name->c_str());
  return 0;
}

} // namespace

void register_create(CLI::App& root, Context& ctx) {
  auto opts = std::make_shared<CreateOptions>();
  auto* cmd = root.add_subcommand("create", "Create a new builder instance");
  add_create(*cmd, *opts);
  cmd->callback([&ctx, opts] { ctx.exit_code = run_create(ctx, *opts); });
}

} // namespace xbuild::plugin
