#include <cstdio>

#include <CLI/CLI.hpp>

#include "plugin/commands/commands.hpp"
#include "plugin/context.hpp"
#include "util/version.hpp"

namespace xbuild::plugin {
namespace {

int run_version(Context&) {
  // Same shape as `docker buildx version`: "<module> <version> <commit>".
  std::printf("docker-xbuild %s %s\n", version(), git_commit());
  return 0;
}

} // namespace

void register_version(CLI::App& root, Context& ctx) {
  auto* cmd = root.add_subcommand("version", "Show docker-xbuild version information");
  cmd->callback([&ctx] { ctx.exit_code = run_version(ctx); });
}

} // namespace xbuild::plugin
