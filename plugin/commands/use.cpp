// `docker xbuild use` (docs/commands/use.md).

#include <memory>

#include "plugin/commands/cli_helpers.hpp"
#include "plugin/commands/commands.hpp"
#include "plugin/context.hpp"

namespace xbuild::plugin {
namespace {

struct UseOptions {
  std::string name;
  bool is_default = false, global = false;
};

void add_use(CLI::App& cmd, UseOptions& o) {
  cmd.add_option("NAME", o.name, "Builder instance to use")->required();
  cmd.add_flag("--default", o.is_default, "Set builder as default for current context");
  cmd.add_flag("--global", o.global, "Builder persists context changes");
}

int run_use(Context& ctx, const UseOptions&) { return not_implemented(ctx, "use"); }

} // namespace

void register_use(CLI::App& root, Context& ctx) {
  auto opts = std::make_shared<UseOptions>();
  auto* cmd = root.add_subcommand("use", "Set the current builder instance");
  add_use(*cmd, *opts);
  cmd->callback([&ctx, opts] { ctx.exit_code = run_use(ctx, *opts); });
}

} // namespace xbuild::plugin
