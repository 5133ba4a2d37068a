// `docker xbuild inspect` (docs/commands/inspect.md).

#include <memory>

#include "plugin/commands/cli_helpers.hpp"
#include "plugin/commands/commands.hpp"
#include "plugin/context.hpp"

namespace xbuild::plugin {
namespace {

struct InspectOptions {
  std::string name, timeout = "20s";
  bool bootstrap = false;
};

void add_inspect(CLI::App& cmd, InspectOptions& o) {
  cmd.add_option("NAME", o.name, "Builder instance to inspect (default: current)");
  cmd.add_option("--timeout", o.timeout, "Timeout for loading builder status");
  cmd.add_flag("--bootstrap", o.bootstrap, "Ensure builder has booted before inspecting");
}

int run_inspect(Context& ctx, const InspectOptions&) { return not_implemented(ctx, "inspect"); }

} // namespace

void register_inspect(CLI::App& root, Context& ctx) {
  auto opts = std::make_shared<InspectOptions>();
  auto* cmd = root.add_subcommand("inspect", "Inspect current builder instance");
  add_inspect(*cmd, *opts);
  cmd->callback([&ctx, opts] { ctx.exit_code = run_inspect(ctx, *opts); });
}

} // namespace xbuild::plugin
