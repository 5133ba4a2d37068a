// `docker xbuild bake [OPTIONS] [TARGET...]` (docs/commands/bake.md).

#include <cstdio>
#include <cstdlib>
#include <memory>

#include <nlohmann/json.hpp>

#include "bakefile/compose.hpp"
#include "bakefile/hcl/parser.hpp"
#include "bakefile/hcl_loader.hpp"
#include "bakefile/json_syntax.hpp"
#include "bakefile/model/resolve.hpp"
#include "oci/platform.hpp"
#include "engine/dockerfile/subrequest.hpp"
#include "plugin/bake_call.hpp"
#include "plugin/bake_list.hpp"
#include "plugin/bake_runner.hpp"
#include "plugin/commands/cli_helpers.hpp"
#include "plugin/commands/commands.hpp"
#include "plugin/context.hpp"
#include "util/fs.hpp"
#include "util/io.hpp"
#include "util/strings.hpp"

extern char** environ;

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
  cmd.add_option("--call", o.call, "Set method for evaluating build (check, outline, targets)");
  cmd.add_option("--list", o.list, "List targets or variables (targets, variables[,format=json])");
  cmd.add_option("--execution", o.execution,
                 "When a target fails: fail-fast (default) or continue (finish independent targets)");
  cmd.add_option("--max-parallelism,-j,--jobs", o.max_parallelism,
                 "Build at most N targets at once (0: no limit)");
  cmd.add_flag("--print", o.print, "Print the options without building");
  cmd.add_flag("--push", o.push, "Shorthand for --set=*.output=type=registry");
  cmd.add_flag("--load", o.load, "Shorthand for --set=*.output=type=docker");
  cmd.add_flag("--no-cache", o.no_cache, "Do not use cache when building the image");
  cmd.add_flag("--pull", o.pull, "Always attempt to pull all referenced images");
  cmd.add_flag("--check", o.check, "Shorthand for --call=check");
}

// buildx's default file list, in lookup order (bake/bake.go defaultFilenames).
const std::vector<std::string>& default_files() {
  static const std::vector<std::string> k_files = {
      "compose.yaml",    "compose.yml",        "docker-compose.yml",        "docker-compose.yaml",
      "docker-bake.json", "docker-bake.hcl", "docker-bake.override.json", "docker-bake.override.hcl"};
  return k_files;
}

// The definition files, split by format: compose files are loaded together
// first, then the HCL and JSON files (bake.go ParseFiles).
struct BakeSources {
  std::vector<std::shared_ptr<const bakefile::hcl::SourceFile>> compose, hcl;
};

// The format of one file: by extension, else compose if it reads as one,
// else HCL or JSON if it parses as either (bake.go validateComposeFile,
// ParseHCLFile); otherwise both errors are reported.
Result<bool> is_compose(const bakefile::hcl::SourceFile& f) {
  switch (bakefile::format_from_name(f.name)) {
  case bakefile::FileFormat::compose:
    return true;
  case bakefile::FileFormat::json:
  case bakefile::FileFormat::hcl:
    return false;
  case bakefile::FileFormat::unknown:
    break;
  }
  auto compose = bakefile::check_compose(f);
  if (compose)
    return true;
  auto hcl = bakefile::hcl::parse_file(f.name, f.text);
  if (hcl || bakefile::parse_json_file(std::make_shared<bakefile::hcl::SourceFile>(f)))
    return false;
  return fail("failed to parse " + f.name + ": parsing yaml: " + compose.error().message +
              ", parsing hcl: " + hcl.error().message);
}

std::vector<std::string> bake_file_names(const BakeOptions& o) {
  if (!o.files.empty())
    return o.files;
  const char* env = std::getenv("BUILDX_BAKE_FILE");
  if (env == nullptr || *env == '\0')
    return {};
  const char* sep = std::getenv("BUILDX_BAKE_PATH_SEPARATOR");
  std::vector<std::string> out;
  for (auto& n : util::split(env, sep && *sep ? sep[0] : ':'))
    if (!n.empty())
      out.push_back(n);
  return out;
}

Result<BakeSources> read_files(Context& ctx, const BakeOptions& o) {
  std::vector<std::string> names = bake_file_names(o);
  if (names.empty())
    for (const auto& f : default_files())
      if (std::filesystem::is_regular_file(f))
        names.push_back(f);
  if (names.empty())
    return fail("couldn't find a bake definition: none of " + util::join(default_files(), ", ") +
                " exists here; pass one with -f");
  BakeSources out;
  for (const auto& name : names) {
    std::string text;
    if (name == "-") {
      text = TRY(util::read_all_cancellable(0, *ctx.cancel, "the bake definition from stdin"));
    } else {
      auto r = util::read_file(name);
      if (!r)
        return fail("failed to read bake file " + name + ": no such file or directory");
      text = std::move(*r);
    }
    auto file = std::make_shared<bakefile::hcl::SourceFile>(
        bakefile::hcl::SourceFile{name == "-" ? "<stdin>" : name, std::move(text)});
    bool compose = TRY(is_compose(*file));
    (compose ? out.compose : out.hcl).push_back(std::move(file));
  }
  return out;
}

// Compose files first, then HCL/JSON merged onto them target by target.
Result<bakefile::Config> load_definition(const BakeSources& sources,
                                         const bakefile::LoadOptions& opts) {
  bakefile::Config config;
  if (!sources.compose.empty()) {
    auto off = opts.env.find("BUILDX_BAKE_DISABLE_VARS_ENV_LOOKUP");
    bool lookup = off == opts.env.end() || !(off->second == "1" || off->second == "true");
    std::optional<std::string> dotenv;
    if (std::filesystem::is_regular_file(".env"))
      if (auto r = util::read_file(".env"))
        dotenv = std::move(*r);
    bakefile::ComposeOptions copts;
    copts.env = TRY(bakefile::compose_environment(opts.env, lookup, dotenv, opts.vars));
    copts.home = util::home_dir();
    copts.read_file = [](const std::string& path) { return util::read_file(path); };
    auto loaded = TRY(bakefile::load_compose(sources.compose, copts));
    for (const auto& w : loaded.warnings)
      std::fprintf(stderr, "WARNING: %s\n", w.c_str());
    config = std::move(loaded.config);
  }
  if (!sources.hcl.empty() || sources.compose.empty())
    bakefile::merge_config(config, TRY(bakefile::load_hcl(sources.hcl, opts)));
  return config;
}

struct Loaded {
  bakefile::Config config;
  std::map<std::string, std::string> env;
};

// Reads and evaluates the bake files (what --list shows).
Result<Loaded> load(Context& ctx, const BakeOptions& o) {
  auto sources = TRY(read_files(ctx, o));
  bakefile::LoadOptions opts;
  for (const auto& v : o.vars) {
    auto eq = v.find('=');
    if (eq == std::string::npos)
      return fail("invalid --var \"" + v + "\": expected NAME=VALUE", 125);
    opts.vars[v.substr(0, eq)] = v.substr(eq + 1);
  }
  for (char** e = environ; e && *e; ++e) {
    std::string kv = *e;
    auto eq = kv.find('=');
    if (eq != std::string::npos)
      opts.env[kv.substr(0, eq)] = kv.substr(eq + 1);
  }
  opts.local_platform = oci::host_platform().str();
  Loaded loaded;
  loaded.config = TRY(load_definition(sources, opts));
  loaded.env = std::move(opts.env);
  return loaded;
}

// The overrides buildx makes of --push, --load, --no-cache, --pull, --sbom
// and --provenance (commands/bake.go runBake), for --print and for the
// build alike: the build reads push, load and no-cache from the targets.
std::vector<std::string> print_flag_overrides(const BakeOptions& o) {
  std::vector<std::string> out;
  if (o.push)
    out.push_back("*.push=true");
  if (o.load)
    out.push_back("*.load=true");
  if (o.no_cache)
    out.push_back("*.no-cache=true");
  if (o.pull)
    out.push_back("*.pull=true");
  if (!o.sbom.empty())
    out.push_back("*.attest=" + bakefile::canonical_attest("sbom", o.sbom));
  if (!o.provenance.empty())
    out.push_back("*.attest=" + bakefile::canonical_attest("provenance", o.provenance));
  return out;
}

// The requested targets with --set (and the flags buildx turns into
// overrides, `sets`) applied: the --print document. Targets linked with
// `target:` are in it, and SOURCE_DATE_EPOCH from the environment is a
// build arg of every target that does not set it.
Result<nlohmann::json> resolve(const Loaded& loaded, const BakeOptions& o,
                               std::vector<std::string> sets) {
  for (auto& s : print_flag_overrides(o))
    sets.push_back(std::move(s));
  auto overrides = TRY(bakefile::parse_overrides(sets, loaded.env));
  TRY_VOID(bakefile::check_override_patterns(loaded.config, overrides));
  auto print = TRY(bakefile::print_definition(loaded.config, o.targets, overrides));
  if (auto it = loaded.env.find("SOURCE_DATE_EPOCH"); it != loaded.env.end())
    bakefile::add_source_date_epoch(print, it->second);
  return print;
}

// Flag values are checked before any file is read: a typo is a usage error.
struct Modes {
  driver::Execution execution = driver::Execution::fail_fast;
  std::optional<BakeListRequest> list;
  std::optional<engine::dockerfile::CallOptions> call; // not set: build
};

Result<Modes> parse_modes(const BakeOptions& o) {
  Modes m;
  m.execution = TRY(parse_execution(o.execution));
  if (o.max_parallelism < 0)
    return fail("invalid --max-parallelism " + std::to_string(o.max_parallelism) +
                    ": use 0 (no limit) or a number of targets",
                125);
  if (o.print && !o.list.empty())
    return fail("--print and --list are mutually exclusive", 125);
  if (!o.list.empty())
    m.list = TRY(parse_bake_list(o.list));
  std::string call = o.check ? "check" : o.call;
  if (!call.empty()) {
    auto parsed = engine::dockerfile::parse_call(call);
    if (!parsed)
      return fail(parsed.error().message, 125);
    if (parsed->method != engine::dockerfile::CallMethod::build)
      m.call = *parsed;
  }
  return m;
}

int run_bake(Context& ctx, const BakeOptions& o) {
  auto modes = parse_modes(o);
  if (!modes)
    return print_error(modes.error());
  auto loaded = load(ctx, o);
  if (!loaded)
    return print_error(loaded.error());
  // --list shows the definition as written: no targets, no overrides.
  if (modes->list) {
    const auto& l = *modes->list;
    std::fputs((l.type == BakeListRequest::Type::targets ? list_bake_targets(loaded->config, l.json)
                                                          : list_bake_variables(loaded->config, l.json))
                   .c_str(),
               stdout);
    return 0;
  }
  // --call/--check are the override `*.call=METHOD`, as in buildx.
  std::vector<std::string> sets = o.set;
  if (modes->call) {
    std::string call = o.check ? "check" : o.call;
    sets.push_back("*.call=" + call.substr(0, call.find(',')));
  }
  auto print = resolve(*loaded, o, sets);
  if (!print)
    return print_error(print.error());
  if (o.print) {
    std::printf("%s\n", print->dump(2).c_str());
    return 0;
  }
  // Targets whose `call` is a subrequest are answered, not built.
  int call_code = 0;
  if (!bake_call_targets(*print).empty()) {
    call_code = run_bake_calls(*print, modes->call.value_or(engine::dockerfile::CallOptions{}),
                               oci::host_platform().str(), stdout);
    auto rest = bake_build_part(*print);
    if (rest["target"].empty())
      return call_code;
    *print = std::move(rest);
  }
  BakeUi ui;
  ui.build.progress = o.progress;
  ui.build.metadata_file = o.metadata_file;
  ui.execution = modes->execution;
  ui.max_parallelism = static_cast<size_t>(o.max_parallelism);
  int code = run_bake_build(ctx, *print, ui);
  return code != 0 ? code : call_code;
}

} // namespace

void register_bake(CLI::App& root, Context& ctx) {
  auto opts = std::make_shared<BakeOptions>();
  auto* cmd = root.add_subcommand("bake", "Build from a file");
  cmd->alias("f");
  add_bake(*cmd, *opts);
  cmd->callback([&ctx, opts] { ctx.exit_code = run_bake(ctx, *opts); });
}

} // namespace xbuild::plugin
