// `docker xbuild bake [OPTIONS] [TARGET...]` (docs/commands/bake.md).

#include <memory>

#include "plugin/commands/cli_helpers.hpp"
#include "plugin/commands/commands.hpp"
#include "plugin/context.hpp"

namespace xbuild::plugin {
namespace {

struct BakeOptions {
  std::vector<std::string> targets, files, set, vars, allow;
  std::string metadata_file, progress = "auto", provenance, sbom, call, list, execution;
  int max_parallelism = 0;
  bool print = false, push = false, load = false, no_cache = false, pull = false, check = false;
};

void add_bake(CLI::App& cmd, BakeOptions& o) {
  cmd.add_option("TARGET", o.targets, "Targets or groups to build (default: the default group)");
  add_array(cmd, "-f,--file", o.files, "Build definition file");
  add_array(cmd, "--set", o.set, "Override target value (e.g., targetpattern.key=value)");
  add_array(cmd, "--var", o.vars, "Set a variable value (NAME=VALUE)");
  add_array(cmd, "--allow", o.allow, "Allow build to access specified resources");
  cmd.add_option("--metadata-file", o.metadata_file, "Write build result metadata to a file");
  cmd.add_option("--progress", o.progress, "Progress output: auto, plain, tty, quiet, rawjson");
  cmd.add_option("--provenance", o.provenance, "Shorthand for --set=*.attest=type=provenance");
  cmd.add_option("--sbom", o.sbom, "Shorthand for --set=*.attest=type=sbom");
  cmd.add_option("--call", o.call, "Set method for evaluating build");
  cmd.add_option("--list", o.list, "List targets or variables (targets, variables[,format=json])");
  cmd.add_option("--execution", o.execution, "Failure mode: fail-fast (default) or continue");
  cmd.add_option("--max-parallelism", o.max_parallelism, "Build at most N targets at once");
  cmd.add_flag("--print", o.print, "Print the options without building");
  cmd.add_flag("--push", o.push, "Shorthand for --set=*.output=type=registry");
  cmd.add_flag("--load", o.load, "Shorthand for --set=*.output=type=docker");
  cmd.add_flag("--no-cache", o.no_cache, "Do not use cache when building the image");
  cmd.add_flag("--pull", o.pull, "Always attempt to pull all referenced images");
  cmd.add_flag("--check", o.check, "Shorthand for --call=check");
}

int run_bake(Context& ctx, const BakeOptions&) { return not_implemented(ctx, "bake"); }

} // namespace

void register_bake(CLI::App& root, Context& ctx) {
  auto opts = std::make_shared<BakeOptions>();
  auto* cmd = root.add_subcommand("bake", "Build from a file");
  cmd->alias("f");
  add_bake(*cmd, *opts);
  cmd->callback([&ctx, opts] { ctx.exit_code = run_bake(ctx, *opts); });
}

} // namespace xbuild::plugin
