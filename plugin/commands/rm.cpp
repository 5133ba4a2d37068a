// `docker xbuild rm [NAME...]` (docs/commands/rm.md).

#include <cstdio>
#include <iostream>
#include <memory>
#include <unistd.h>

#include "driver/builders.hpp"
#include "plugin/builder_access.hpp"
#include "plugin/commands/cli_helpers.hpp"
#include "plugin/commands/commands.hpp"
#include "util/strings.hpp"

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

bool confirm(const std::string& question) {
  std::fprintf(stderr, "%s [y/N] ", question.c_str());
  std::string answer;
  if (!std::getline(std::cin, answer))
    return false;
  answer = util::to_lower(util::trim(answer));
  return answer == "y" || answer == "yes";
}

Result<void> remove_one(driver::BuilderStore& store, const driver::NodeGroup& g, bool keep_state) {
  if (g.driver == "local" && !keep_state) {
    // The embedded engine's cache and snapshots go with the builder.
    std::error_code ec;
    std::filesystem::remove_all(driver::local_state_dir(g), ec);
    if (ec)
      return fail("cannot remove the state of builder \"" + g.name + "\" at " +
                  driver::local_state_dir(g).string() + ": " + ec.message());
  }
  return store.remove(g.name);
}

Result<void> rm(Context& ctx, const RmOptions& o) {
  auto store = open_builder_store(ctx);
  if (o.all_inactive) {
    if (!o.names.empty())
      return fail("cannot specify builder name when --all-inactive is set");
    if (!o.force && !confirm("WARNING! This will remove all builders that are not in running "
                             "state. Are you sure you want to continue?"))
      return {};
    for (const auto& g : TRY(store.list()))
      if (node_status(g, g.nodes.front()).status != "running")
        TRY_VOID(remove_one(store, g, o.keep_state));
    return {};
  }
  std::vector<std::string> names = o.names;
  if (names.empty())
    names.push_back(TRY(current_builder(ctx)).name);
  for (const auto& raw : names) {
    std::string name = util::to_lower(raw);
    if (name == driver::k_default_builder)
      return fail("the default builder is the embedded engine and cannot be removed; "
                  "use `docker xbuild prune` to free its cache");
    auto g = TRY(store.get(name));
    if (!g)
      return fail("no builder \"" + raw + "\" found; list builders with `docker xbuild ls`");
    TRY_VOID(remove_one(store, *g, o.keep_state));
    std::printf("%s removed\n", name.c_str());
  }
  return {};
}

int run_rm(Context& ctx, const RmOptions& o) {
  auto r = rm(ctx, o);
  return r ? 0 : print_error(r.error());
}

} // namespace

void register_rm(CLI::App& root, Context& ctx) {
  auto opts = std::make_shared<RmOptions>();
  auto* cmd = root.add_subcommand("rm", "Remove one or more builder instances");
  add_rm(*cmd, *opts);
  cmd->callback([&ctx, opts] { ctx.exit_code = run_rm(ctx, *opts); });
}

} // namespace xbuild::plugin
