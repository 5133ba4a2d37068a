// `docker xbuild build [OPTIONS] PATH | URL | -`: every flag of
// `docker buildx build` is accepted (docs/commands/build.md).

#include <memory>

#include <cstdlib>
#include <sys/utsname.h>

#include "engine/dockerfile/subrequest.hpp"
#include "plugin/build_runner.hpp"
#include "plugin/commands/cli_helpers.hpp"
#include "plugin/commands/commands.hpp"
#include "plugin/context.hpp"
#include "util/fs.hpp"
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

namespace df = engine::dockerfile;

// The host as an OCI platform, for BUILDPLATFORM and the default target.
std::string host_platform() {
  struct utsname u {};
  std::string arch = uname(&u) == 0 ? u.machine : "x86_64";
  if (arch == "x86_64")
    return "linux/amd64";
  if (arch == "aarch64" || arch == "arm64")
    return "linux/arm64";
  if (arch.rfind("armv7", 0) == 0)
    return "linux/arm/v7";
  return "linux/" + arch;
}

// `--build-arg KEY=VALUE`, or `--build-arg KEY` to pass KEY from the
// environment (skipped when unset), as buildx does.
std::map<std::string, std::string> build_arg_map(const std::vector<std::string>& args) {
  std::map<std::string, std::string> out;
  for (const auto& a : args) {
    auto eq = a.find('=');
    if (eq != std::string::npos) {
      out[a.substr(0, eq)] = a.substr(eq + 1);
    } else if (const char* v = std::getenv(a.c_str())) {
      out[a] = v;
    }
  }
  return out;
}

bool remote_context(const std::string& path) {
  return path.find("://") != std::string::npos || path.rfind("git@", 0) == 0;
}

// Reads the Dockerfile a build would use: stdin for `-`, else -f (relative
// to the working directory), else PATH/Dockerfile.
Result<df::CallRequest> call_request(const BuildOptions& o, const std::string& stdin_text) {
  df::CallRequest req;
  if (o.context_path == "-" || o.file == "-") {
    req.dockerfile_text = stdin_text;
  } else {
    if (remote_context(o.context_path) && o.file.empty())
      return fail("--call and --check need a local build context; \"" + o.context_path +
                  "\" is remote: clone it first or pass -f with a local Dockerfile");
    util::fs::path file = o.file.empty() ? util::fs::path(o.context_path) / "Dockerfile" : util::fs::path(o.file);
    auto text = util::read_file(file);
    if (!text)
      return fail("failed to read dockerfile " + file.string() + ": " + text.error().message +
                  "\n  Pass the Dockerfile with -f, or add one to the build context.");
    req.dockerfile_text = std::move(*text);
    req.dockerfile_path = file;
    if (!remote_context(o.context_path))
      req.context_dir = o.context_path;
  }
  req.build_args = build_arg_map(o.build_args);
  req.target = o.target;
  req.build_platform = host_platform();
  req.target_platform = req.build_platform;
  if (!o.platforms.empty()) {
    auto first = o.platforms.front();
    req.target_platform = first.substr(0, first.find(','));
  }
  return req;
}

// --call=outline|targets|check (and --check): answer and exit; a normal
// build first runs the checks so that `# check=error=true` can stop it.
std::optional<int> run_call(Context& ctx, const BuildOptions& o, const std::string& stdin_text) {
  std::string call = o.check ? "check" : (o.call.empty() ? "build" : o.call);
  auto opts = df::parse_call(call);
  if (!opts) {
    std::fprintf(stderr, "ERROR: %s\n", opts.error().message.c_str());
    return 1;
  }
  auto req = call_request(o, stdin_text);
  if (!req) {
    if (opts->method == df::CallMethod::build)
      return std::nullopt; // the build itself reports a missing Dockerfile
    std::fprintf(stderr, "ERROR: %s\n", req.error().message.c_str());
    return 1;
  }
  auto res = opts->method == df::CallMethod::build ? df::lint_before_build(*req) : df::run_call(*req, *opts);
  if (!res) {
    std::fprintf(stderr, "ERROR: %s\n", res.error().message.c_str());
    return 1;
  }
  if (opts->method == df::CallMethod::build) {
    std::fputs(res->output.c_str(), stderr);
    if (res->exit_code != 0)
      return res->exit_code;
    return std::nullopt;
  }
  std::fputs(res->output.c_str(), stdout);
  std::fflush(stdout);
  (void)ctx;
  return res->exit_code;
}

// The flags as a driver request; --push and --load become outputs as in
// buildx (`type=registry`, `type=docker`).
driver::BuildRequest engine_request(const BuildOptions& o, const std::string& stdin_text) {
  driver::BuildRequest r;
  r.context_path = o.context_path;
  r.dockerfile_path = o.file == "-" ? "" : o.file;
  if (o.context_path == "-" || o.file == "-")
    r.dockerfile_text = stdin_text;
  r.build_args = build_arg_map(o.build_args);
  r.target = o.target;
  r.platforms = o.platforms;
  r.tags = o.tags;
  r.outputs = o.outputs;
  if (o.push)
    r.outputs.push_back("type=registry");
  if (o.load)
    r.outputs.push_back("type=docker");
  r.secrets = o.secrets;
  r.labels = o.labels;
  r.build_contexts = o.build_contexts;
  r.no_cache = o.no_cache;
  r.no_cache_filter = o.no_cache_filter;
  auto off = [](const std::string& v) { return v.empty() || v == "false" || v == "0"; };
  for (const auto& [flag, given] :
       {std::pair{"--cache-from", !o.cache_from.empty()}, {"--cache-to", !o.cache_to.empty()},
        {"--ssh", !o.ssh.empty()}, {"--attest", !o.attest.empty()},
        {"--provenance", !off(o.provenance)}, {"--sbom", !off(o.sbom)}})
    if (given)
      r.ignored.push_back(flag);
  return r;
}

int run_build(Context& ctx, const BuildOptions& o) {
  if (o.context_path.empty()) {
    std::fprintf(stderr, "ERROR: \"%s build\" requires exactly 1 argument.\n"
                         "See '%s build --help'.\n",
                 ctx.command_name().c_str(), ctx.command_name().c_str());
    return 1;
  }
  std::string stdin_text;
  if (o.context_path == "-" || o.file == "-") {
    // `build -` reads the Dockerfile (or a context tarball) from stdin.
    auto input = util::read_all_cancellable(0, *ctx.cancel, "the build input from stdin");
    if (!input) {
      std::fprintf(stderr, "ERROR: %s\n", input.error().message.c_str());
      return input.error().exit_code;
    }
    stdin_text = std::move(*input);
  }
  if (auto code = run_call(ctx, o, stdin_text))
    return *code;
  return run_engine_build(ctx, engine_request(o, stdin_text),
                          BuildUi{o.progress, o.metadata_file, o.iidfile, o.quiet});
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
