// `docker xbuild du` (docs/commands/du.md).

#include <memory>

#include "plugin/commands/cli_helpers.hpp"
#include "plugin/commands/commands.hpp"
#include "plugin/context.hpp"

namespace xbuild::plugin {
namespace {

struct DuOptions {
  std::vector<std::string> filters;
  std::string format, timeout = "20s";
  bool verbose = false;
};

void add_du(CLI::App& cmd, DuOptions& o) {
  add_array(cmd, "--filter", o.filters, "Provide filter values");
  cmd.add_option("--format", o.format, "Format the output");
  cmd.add_option("--timeout", o.timeout, "Timeout for loading builder status");
  cmd.add_flag("--verbose", o.verbose, "Provide a more verbose output");
}

int run_du(Context& ctx, const DuOptions&) { return not_implemented(ctx, "du"); }

} // namespace

void register_du(CLI::App& root, Context& ctx) {
  auto opts = std::make_shared<DuOptions>();
  auto* cmd = root.add_subcommand("du", "Disk usage");
  add_du(*cmd, *opts);
  cmd->callback([&ctx, opts] { ctx.exit_code = run_du(ctx, *opts); });
}

} // namespace xbuild::plugin
