// `docker xbuild stop` (docs/commands/stop.md).

#include <memory>

#include "plugin/commands/cli_helpers.hpp"
#include "plugin/commands/commands.hpp"
#include "plugin/context.hpp"

namespace xbuild::plugin {
namespace {

struct StopOptions {
  std::string name;
};

void add_stop(CLI::App& cmd, StopOptions& o) {
  cmd.add_option("NAME", o.name, "Builder instance to stop (default: current)");
}

int run_stop(Context& ctx, const StopOptions&) { return not_implemented(ctx, "stop"); }

} // namespace

void register_stop(CLI::App& root, Context& ctx) {
  auto opts = std::make_shared<StopOptions>();
  auto* cmd = root.add_subcommand("stop", "Stop builder instance");
  add_stop(*cmd, *opts);
  cmd->callback([&ctx, opts] { ctx.exit_code = run_stop(ctx, *opts); });
}

} // namespace xbuild::plugin
