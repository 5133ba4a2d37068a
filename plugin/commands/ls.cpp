// `docker xbuild ls` (docs/commands/ls.md).

#include <memory>

#include "plugin/commands/cli_helpers.hpp"
#include "plugin/commands/commands.hpp"
#include "plugin/context.hpp"

namespace xbuild::plugin {
namespace {

struct LsOptions {
  std::string format = "table", timeout = "20s";
  bool no_trunc = false;
};

void add_ls(CLI::App& cmd, LsOptions& o) {
  cmd.add_option("--format", o.format, "Format the output (table, json, or a Go template)");
  cmd.add_option("--timeout", o.timeout, "Timeout for loading builder status");
  cmd.add_flag("--no-trunc", o.no_trunc, "Do not truncate output");
}

int run_ls(Context& ctx, const LsOptions&) { return not_implemented(ctx, "ls"); }

} // namespace

void register_ls(CLI::App& root, Context& ctx) {
  auto opts = std::make_shared<LsOptions>();
  auto* cmd = root.add_subcommand("ls", "List builder instances");
  add_ls(*cmd, *opts);
  cmd->callback([&ctx, opts] { ctx.exit_code = run_ls(ctx, *opts); });
}

} // namespace xbuild::plugin
