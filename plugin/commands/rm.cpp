// `docker xbuild rm` (docs/commands/rm.md).

#include <memory>

#include "plugin/commands/cli_helpers.hpp"
#include "plugin/commands/commands.hpp"
#include "plugin/context.hpp"

namespace xbuild::plugin {
namespace {

struct RmOptions {
  std::vector<std::string> names;
  std::string timeout = "20s";
  bool all_inactive = false, force = false, keep_daemon = false, keep_state = false;
};

void add_rm(CLI::App& cmd, RmOptions& o) {
  cmd.add_option("NAME", o.names, "Builder instances to remove");
  cmd.add_option("--timeout", o.timeout, "Timeout for loading builder status");
  cmd.add_flag("--all-inactive", o.all_inactive, "Remove all inactive builders");
  cmd.add_flag("-f,--force", o.force, "Do not prompt for confirmation");
  cmd.add_flag("--keep-daemon", o.keep_daemon, "Keep the builder daemon running");
  cmd.add_flag("--keep-state", o.keep_state, "Keep builder state (cache)");
}

int run_rm(Context& ctx, const RmOptions&) { return not_implemented(ctx, "rm"); }

} // namespace

void register_rm(CLI::App& root, Context& ctx) {
  auto opts = std::make_shared<RmOptions>();
  auto* cmd = root.add_subcommand("rm", "Remove one or more builder instances");
  add_rm(*cmd, *opts);
  cmd->callback([&ctx, opts] { ctx.exit_code = run_rm(ctx, *opts); });
}

} // namespace xbuild::plugin
