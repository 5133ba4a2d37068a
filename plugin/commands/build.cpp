// `docker xbuild build [OPTIONS] PATH | URL | -`: every flag of
// `docker buildx build` is accepted (docs/commands/build.md).

#include <memory>

#include "plugin/commands/cli_helpers.hpp"
#include "plugin/commands/commands.hpp"
#include "plugin/context.hpp"
#include "util/io.hpp"

namespace xbuild::plugin {
namespace {

struct BuildOptions {
  std::string context_path;
  std::string file;
  std::vector<std::string> tags, platforms, outputs, build_args, secrets, ssh, build_contexts;
  std::vector<std::string> labels, annotations, cache_from, cache_to, attest, allow, add_hosts;
  std::vector<std::string> no_cache_filter, ulimits;
  std::string target, metadata_file, iidfile, progress = "auto", provenance, sbom, call;
  std::string network = "default", shm_size, cgroup_parent;
  bool push = false, load = false, no_cache = false, pull = false, quiet = false, check = false;
};

void add_build(CLI::App& cmd, BuildOptions& o) {
  cmd.add_option("PATH", o.context_path, "Build context: a directory, a URL, or - for stdin");
  cmd.add_option("-f,--file", o.file, "Name of the Dockerfile (default: PATH/Dockerfile)");
  add_array(cmd, "-t,--tag", o.tags, "Image name and optionally a tag (name:tag)");
  add_array(cmd, "--platform", o.platforms, "Set target platform(s) for build");
  add_array(cmd, "-o,--output", o.outputs, "Output destination (type=TYPE[,KEY=VALUE])");
  add_array(cmd, "--build-arg", o.build_args, "Set build-time variables");
  add_array(cmd, "--secret", o.secrets, "Secret to expose to the build (id=ID[,src=PATH])");
  add_array(cmd, "--ssh", o.ssh, "SSH agent socket or keys to expose to the build");
  add_array(cmd, "--build-context", o.build_contexts, "Additional build contexts (name=VALUE)");
  add_array(cmd, "--label", o.labels, "Set metadata for an image");
  add_array(cmd, "--annotation", o.annotations, "Add annotation to the image");
  add_array(cmd, "--cache-from", o.cache_from, "External cache sources");
  add_array(cmd, "--cache-to", o.cache_to, "Cache export destinations");
  add_array(cmd, "--attest", o.attest, "Attestation parameters (type=sbom|provenance,…)");
  add_array(cmd, "--allow", o.allow, "Allow extra privileged entitlement");
  add_array(cmd, "--add-host", o.add_hosts, "Add a custom host-to-IP mapping (host:ip)");
  add_array(cmd, "--no-cache-filter", o.no_cache_filter, "Do not cache specified stages");
  add_array(cmd, "--ulimit", o.ulimits, "Ulimit options");
  cmd.add_option("--target", o.target, "Set the target build stage to build");
  cmd.add_option("--metadata-file", o.metadata_file, "Write build result metadata to a file");
  cmd.add_option("--iidfile", o.iidfile, "Write the image ID to a file");
  cmd.add_option("--progress", o.progress, "Progress output: auto, plain, tty, quiet, rawjson");
  cmd.add_option("--provenance", o.provenance, "Shorthand for --attest=type=provenance");
  cmd.add_option("--sbom", o.sbom, "Shorthand for --attest=type=sbom");
  cmd.add_option("--call", o.call, "Set method for evaluating build (build, check, outline, targets)");
  cmd.add_option("--network", o.network, "Networking mode for RUN instructions (default, none, host)");
  cmd.add_option("--shm-size", o.shm_size, "Shared memory size for build containers");
  cmd.add_option("--cgroup-parent", o.cgroup_parent, "Parent cgroup for RUN instructions");
  cmd.add_flag("--push", o.push, "Shorthand for --output=type=registry");
  cmd.add_flag("--load", o.load, "Shorthand for --output=type=docker");
  cmd.add_flag("--no-cache", o.no_cache, "Do not use cache when building the image");
  cmd.add_flag("--pull", o.pull, "Always attempt to pull all referenced images");
  cmd.add_flag("-q,--quiet", o.quiet, "Suppress the build output and print image ID on success");
  cmd.add_flag("--check", o.check, "Shorthand for --call=check");
}

int run_build(Context& ctx, const BuildOptions& o) {
  if (o.context_path.empty()) {
    std::fprintf(stderr, "ERROR: \"%s build\" requires exactly 1 argument.\n"
                         "See '%s build --help'.\n",
                 ctx.command_name().c_str(), ctx.command_name().c_str());
    return 1;
  }
  if (o.context_path == "-" || o.file == "-") {
    // `build -` reads the Dockerfile (or a context tarball) from stdin.
    auto input = util::read_all_cancellable(0, *ctx.cancel, "the build input from stdin");
    if (!input) {
      std::fprintf(stderr, "ERROR: %s\n", input.error().message.c_str());
      return input.error().exit_code;
    }
  }
  return not_implemented(ctx, "build");
}

} // namespace

void register_build(CLI::App& root, Context& ctx) {
  auto opts = std::make_shared<BuildOptions>();
  auto* cmd = root.add_subcommand("build", "Start a build");
  cmd->alias("b");
  add_build(*cmd, *opts);
  cmd->callback([&ctx, opts] { ctx.exit_code = run_build(ctx, *opts); });
}

} // namespace xbuild::plugin
