// `docker xbuild prune` (docs/commands/prune.md).

#include <memory>

#include "plugin/commands/cli_helpers.hpp"
#include "plugin/commands/commands.hpp"
#include "plugin/context.hpp"

namespace xbuild::plugin {
namespace {

struct PruneOptions {
  std::vector<std::string> filters;
  std::string max_used_space, min_free_space, reserved_space, keep_storage, timeout = "20s";
  bool all = false, force = false, verbose = false;
};

void add_prune(CLI::App& cmd, PruneOptions& o) {
  add_array(cmd, "--filter", o.filters, "Provide filter values (e.g., \"until=24h\")");
  cmd.add_option("--max-used-space", o.max_used_space, "Maximum amount of disk space allowed to keep for cache");
  cmd.add_option("--min-free-space", o.min_free_space, "Target amount of free disk space after pruning");
  cmd.add_option("--reserved-space", o.reserved_space, "Amount of disk space always allowed to keep for cache");
  cmd.add_option("--keep-storage", o.keep_storage, "Amount of disk space to keep for cache (deprecated)");
  cmd.add_option("--timeout", o.timeout, "Timeout for loading builder status");
  cmd.add_flag("-a,--all", o.all, "Include internal/frontend images");
  cmd.add_flag("-f,--force", o.force, "Do not prompt for confirmation");
  cmd.add_flag("--verbose", o.verbose, "Provide a more verbose output");
}

int run_prune(Context& ctx, const PruneOptions&) { return not_implemented(ctx, "prune"); }

} // namespace

void register_prune(CLI::App& root, Context& ctx) {
  auto opts = std::make_shared<PruneOptions>();
  auto* cmd = root.add_subcommand("prune", "Remove build cache");
  add_prune(*cmd, *opts);
  cmd->callback([&ctx, opts] { ctx.exit_code = run_prune(ctx, *opts); });
}

} // namespace xbuild::plugin
