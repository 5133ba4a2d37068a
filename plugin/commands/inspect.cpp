// `docker xbuild inspect [NAME]` (docs/commands/inspect.md), in buildx's
// "Key: value" layout so scripts that grep it keep working.

#include <cstdio>
#include <memory>

#include "driver/builders.hpp"
#include "plugin/builder_access.hpp"
#include "plugin/commands/cli_helpers.hpp"
#include "plugin/commands/commands.hpp"
#include "util/strings.hpp"

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

void line(const char* key, const std::string& value) {
  std::printf("%-*s %s\n", 22, (std::string(key) + ":").c_str(), value.c_str());
}

Result<void> inspect(Context& ctx, const InspectOptions& o) {
  if (!o.name.empty())
    ctx.builder = o.name;
  auto g = TRY(current_builder(ctx));
  auto store = open_builder_store(ctx);
  line("Name", g.name);
  line("Driver", g.driver);
  if (auto act = store.last_activity(g.name))
    line("Last Activity", *act);
  if (g.driver == "local")
    line("State Directory", driver::local_state_dir(g).string());
  std::printf("\nNodes:\n");
  bool first = true;
  for (const auto& n : g.nodes) {
    if (!first)
      std::printf("\n");
    first = false;
    auto st = node_status(g, n);
    line("Name", n.name);
    line("Endpoint", n.endpoint.empty() ? g.driver : n.endpoint);
    if (!n.driver_opts.empty()) {
      std::vector<std::string> kv;
      for (const auto& [k, v] : n.driver_opts)
        kv.push_back(k + "=\"" + v + "\"");
      line("Driver Options", util::join(kv, " "));
    }
    line("Status", st.status);
    if (!n.flags.empty())
      line("BuildKit daemon flags", util::join(n.flags, " "));
    if (!st.version.empty())
      line("BuildKit version", st.version);
    line("Platforms", util::join(st.platforms, ", "));
    if (!st.error.empty())
      line("Error", st.error);
  }
  if (o.bootstrap && g.driver != "local")
    return fail("cannot boot builder \"" + g.name + "\": " + node_status(g, g.nodes.front()).error);
  return {};
}

int run_inspect(Context& ctx, const InspectOptions& o) {
  auto r = inspect(ctx, o);
  return r ? 0 : print_error(r.error());
}

} // namespace

void register_inspect(CLI::App& root, Context& ctx) {
  auto opts = std::make_shared<InspectOptions>();
  auto* cmd = root.add_subcommand("inspect", "Inspect current builder instance");
  add_inspect(*cmd, *opts);
  cmd->callback([&ctx, opts] { ctx.exit_code = run_inspect(ctx, *opts); });
}

} // namespace xbuild::plugin
