// `docker xbuild prune` (docs/commands/prune.md): removes build cache of the
// local builder's state (engine/cache/gc.cpp does the work), asking first.

#include <iostream>
#include <memory>
#include <unistd.h>

#include "plugin/commands/cli_helpers.hpp"
#include "plugin/commands/commands.hpp"
#include "plugin/commands/usage_print.hpp"
#include "plugin/context.hpp"
#include "util/strings.hpp"

namespace xbuild::plugin {
namespace {

struct PruneOptions {
  std::vector<std::string> filters;
  std::string max_used_space, min_free_space, reserved_space, keep_storage, timeout = "20s";
  bool all = false, force = false, verbose = false;
};

void add_prune(CLI::App& cmd, PruneOptions& o) {
  add_array(cmd, "--filter", o.filters, "Provide filter values (e.g., \"until=24h\")");
  cmd.add_option("--max-used-space", o.max_used_space,
                 "Maximum amount of disk space allowed to keep for cache");
  cmd.add_option("--min-free-space", o.min_free_space,
                 "Target amount of free disk space after pruning");
  cmd.add_option("--reserved-space", o.reserved_space,
                 "Amount of disk space always allowed to keep for cache");
  cmd.add_option("--keep-storage", o.keep_storage,
                 "Amount of disk space to keep for cache (deprecated)");
  cmd.add_option("--timeout", o.timeout, "Timeout for loading builder status");
  cmd.add_flag("-a,--all", o.all, "Include internal/frontend images");
  cmd.add_flag("-f,--force", o.force, "Do not prompt for confirmation");
  cmd.add_flag("--verbose", o.verbose, "Provide a more verbose output");
}

// buildx's prompts.
const char* k_all_warning =
    "WARNING! This will remove all build cache. Are you sure you want to continue?";
const char* k_normal_warning =
    "WARNING! This will remove all dangling build cache. Are you sure you want to continue?";

Result<engine::cache::GcOptions> gc_options(const PruneOptions& o) {
  engine::cache::GcOptions g;
  g.filter = TRY(engine::cache::parse_filters(o.filters));
  g.all = o.all ? engine::cache::PruneAll::yes : engine::cache::PruneAll::no;
  if (!o.max_used_space.empty() && !o.keep_storage.empty())
    return fail("--keep-storage is the deprecated name of --max-used-space: give only one", 125);
  const std::string& max_used = o.max_used_space.empty() ? o.keep_storage : o.max_used_space;
  if (!max_used.empty())
    g.max_used = TRY(engine::cache::parse_size(max_used));
  if (!o.reserved_space.empty())
    g.reserved = TRY(engine::cache::parse_size(o.reserved_space));
  if (!o.min_free_space.empty())
    g.min_free = TRY(engine::cache::parse_size(o.min_free_space));
  return g;
}

// Docker's PromptForConfirmation; a script must say -f rather than have
// prune guess what an answer from a pipe means.
Result<bool> confirm(const Context& ctx, bool all) {
  if (!::isatty(STDIN_FILENO))
    return fail("prune needs a confirmation but standard input is not a terminal: run `" +
                    ctx.command_name() + " prune -f` to prune without asking",
                1);
  std::printf("%s [y/N] ", all ? k_all_warning : k_normal_warning);
  std::fflush(stdout);
  std::string answer;
  std::getline(std::cin, answer);
  answer = util::to_lower(std::string(util::trim(answer)));
  return answer == "y" || answer == "yes";
}

Result<void> prune_cache(Context& ctx, const PruneOptions& o) {
  auto options = TRY(gc_options(o)); // bad flags fail before the prompt
  auto state = TRY(open_local_state(ctx, "prune"));
  if (!o.force && !TRY(confirm(ctx, o.all)))
    return {};
  auto report = TRY(engine::cache::prune(*state, options));
  TabWriter tw;
  if (!o.verbose && !report.removed.empty())
    usage_header(tw);
  for (const auto& item : report.removed) {
    if (o.verbose)
      usage_verbose(tw, item);
    else
      usage_row(tw, item);
  }
  tw.flush();
  tw.row({"Total:", engine::cache::human_size(report.reclaimed)});
  tw.flush();
  if (!report.other_users.empty()) {
    std::vector<std::string> pids;
    for (auto pid : report.other_users)
      pids.push_back(std::to_string(pid));
    std::fprintf(stderr,
                 "WARNING: %zu other process(es) use this builder's state (pid %s): kept "
                 "everything they may be using; prune again when they have finished to "
                 "reclaim the rest\n",
                 pids.size(), util::join(pids, ", ").c_str());
  }
  return {};
}

int run_prune(Context& ctx, const PruneOptions& o) {
  auto r = prune_cache(ctx, o);
  return r ? 0 : print_error(r.error());
}

} // namespace

void register_prune(CLI::App& root, Context& ctx) {
  auto opts = std::make_shared<PruneOptions>();
  auto* cmd = root.add_subcommand("prune", "Remove build cache");
  add_prune(*cmd, *opts);
  cmd->callback([&ctx, opts] { ctx.exit_code = run_prune(ctx, *opts); });
}

} // namespace xbuild::plugin
