// `docker xbuild create` (docs/commands/create.md).

#include <memory>

#include "plugin/commands/cli_helpers.hpp"
#include "plugin/commands/commands.hpp"
#include "plugin/context.hpp"

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

int run_create(Context& ctx, const CreateOptions&) { return not_implemented(ctx, "create"); }

} // namespace

void register_create(CLI::App& root, Context& ctx) {
  auto opts = std::make_shared<CreateOptions>();
  auto* cmd = root.add_subcommand("create", "Create a new builder instance");
  add_create(*cmd, *opts);
  cmd->callback([&ctx, opts] { ctx.exit_code = run_create(ctx, *opts); });
}

} // namespace xbuild::plugin
