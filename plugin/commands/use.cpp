// `docker xbuild use NAME` (docs/commands/use.md).

#include <memory>

#include "driver/builders.hpp"
#include "plugin/builder_access.hpp"
#include "plugin/commands/cli_helpers.hpp"
#include "plugin/commands/commands.hpp"
#include "util/strings.hpp"

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

Result<void> use(Context& ctx, const UseOptions& o) {
  auto store = open_builder_store(ctx);
  std::string name = util::to_lower(o.name);
  if (name != driver::k_default_builder && !TRY(store.get(name)))
    return fail("run `docker xbuild create --name " + o.name + "` first: no builder \"" + o.name +
                "\" found");
  return store.set_current(TRY(endpoint_key(ctx)), name, o.global, o.is_default);
}

int run_use(Context& ctx, const UseOptions& o) {
  auto r = use(ctx, o);
  return r ? 0 : print_error(r.error());
}

} // namespace

void register_use(CLI::App& root, Context& ctx) {
  auto opts = std::make_shared<UseOptions>();
  auto* cmd = root.add_subcommand("use", "Set the current builder instance");
  add_use(*cmd, *opts);
  cmd->callback([&ctx, opts] { ctx.exit_code = run_use(ctx, *opts); });
}

} // namespace xbuild::plugin
