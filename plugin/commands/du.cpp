// `docker xbuild du` (docs/commands/du.md): disk usage of the local
// builder's state, one line per snapshot or loose blob, in buildx's layout.

#include <memory>

#include "plugin/commands/cli_helpers.hpp"
#include "plugin/commands/commands.hpp"
#include "plugin/commands/usage_print.hpp"
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

// buildx's printSummary: Shared/Private only when something is shared.
void print_summary(const std::vector<engine::cache::UsageItem>& items) {
  int64_t total = 0, shared = 0, reclaimable = 0;
  for (const auto& item : items) {
    total += item.size;
    shared += item.shared ? item.size : 0;
    reclaimable += item.in_use ? 0 : item.size;
  }
  TabWriter tw;
  if (shared > 0) {
    tw.row({"Shared:", engine::cache::human_size(shared)});
    tw.row({"Private:", engine::cache::human_size(total - shared)});
  }
  tw.row({"Reclaimable:", engine::cache::human_size(reclaimable)});
  tw.row({"Total:", engine::cache::human_size(total)});
  tw.flush();
}

Result<void> disk_usage(Context& ctx, const DuOptions& o) {
  bool json = o.format == "json";
  if (!json && !o.format.empty() && o.format != "table")
    return fail("unsupported --format \"" + o.format + "\": use table or json", 125);
  auto filter = TRY(engine::cache::parse_filters(o.filters));
  auto state = TRY(open_local_state(ctx, "du"));
  auto usage = TRY(engine::cache::disk_usage(*state));
  const int64_t now = static_cast<int64_t>(std::time(nullptr));
  std::vector<engine::cache::UsageItem> items;
  for (const auto& item : usage.items)
    if (filter.matches(item, now))
      items.push_back(item);
  if (json) {
    auto all = nlohmann::ordered_json::array();
    for (const auto& item : items)
      all.push_back(usage_json(item));
    std::printf("%s\n", all.dump(2).c_str());
    return {};
  }
  TabWriter tw;
  if (o.verbose) {
    for (const auto& item : items)
      usage_verbose(tw, item);
  } else {
    usage_header(tw);
    for (const auto& item : items)
      usage_row(tw, item);
    tw.flush();
  }
  print_summary(items);
  return {};
}

int run_du(Context& ctx, const DuOptions& o) {
  auto r = disk_usage(ctx, o);
  return r ? 0 : print_error(r.error());
}

} // namespace

void register_du(CLI::App& root, Context& ctx) {
  auto opts = std::make_shared<DuOptions>();
  auto* cmd = root.add_subcommand("du", "Disk usage");
  add_du(*cmd, *opts);
  cmd->callback([&ctx, opts] { ctx.exit_code = run_du(ctx, *opts); });
}

} // namespace xbuild::plugin
