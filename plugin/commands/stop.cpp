// `docker xbuild stop [NAME]` (docs/commands/stop.md).

#include <memory>

#include "plugin/builder_access.hpp"
#include "plugin/commands/cli_helpers.hpp"
#include "plugin/commands/commands.hpp"

namespace xbuild::plugin {
namespace {

struct StopOptions {
  std::string name;
};

void add_stop(CLI::App& cmd, StopOptions& o) {
  cmd.add_option("NAME", o.name, "Builder instance to stop (default: current)");
}

Result<void> stop(Context& ctx, const StopOptions& o) {
  if (!o.name.empty())
    ctx.builder = o.name;
  auto g = TRY(current_builder(ctx));
  // The embedded engine has no daemon: nothing runs between builds.
  if (g.driver == "local")
    return {};
  return fail("cannot stop builder \"" + g.name + "\": " + node_status(g, g.nodes.front()).error);
}

int run_stop(Context& ctx, const StopOptions& o) {
  auto r = stop(ctx, o);
  return r ? 0 : print_error(r.error());
}

} // namespace

void register_stop(CLI::App& root, Context& ctx) {
  auto opts = std::make_shared<StopOptions>();
  auto* cmd = root.add_subcommand("stop", "Stop builder instance");
  add_stop(*cmd, *opts);
  cmd->callback([&ctx, opts] { ctx.exit_code = run_stop(ctx, *opts); });
}

} // namespace xbuild::plugin
