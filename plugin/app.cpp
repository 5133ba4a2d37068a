// The top-level flow: split docker's global flags off argv, set up the
// context (config dir, logging, cancellation), parse our command tree and run
// the chosen command. Usage errors are reported the way the docker CLI does.

#include "plugin/app.hpp"

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <pthread.h>
#include <thread>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "plugin/commands/commands.hpp"
#include "plugin/context.hpp"
#include "plugin/docker_config.hpp"
#include "plugin/plugin_socket.hpp"
#include "util/log.hpp"
#include "util/strings.hpp"
#include "util/version.hpp"

namespace xbuild::plugin {
namespace {

constexpr int k_usage_exit = 125; // docker's status for flag/usage errors
constexpr int k_cancel_exit = 130;
constexpr auto k_cancel_grace = std::chrono::seconds(10);

int print_metadata() {
  nlohmann::ordered_json meta = {
      {"SchemaVersion", "0.1.0"},
      {"Vendor", "docker-xbuild"},
      {"Version", version()},
      {"ShortDescription", "Docker XBuild (buildx-compatible builds, daemonless engine)"},
      {"URL", "https://github.com/docker-xbuild/docker-xbuild"},
  };
  std::printf("%s\n", meta.dump(2).c_str());
  return 0;
}

// SIGINT/SIGTERM: the first one cancels, a second one ends the process now.
void start_signal_thread(util::CancelSource& cancel) {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  std::thread([set, &cancel] {
    int count = 0;
    for (;;) {
      int sig = 0;
      if (sigwait(&set, &sig) != 0)
        continue;
      if (++count > 1)
        _exit(k_cancel_exit);
      cancel.request(sig == SIGINT ? "interrupted (Ctrl-C)" : "terminated (SIGTERM)");
    }
  }).detach();
}

// Work is expected to notice cancellation and return; if it does not within
// the grace period, leave anyway rather than hang the user's terminal.
void start_cancel_watchdog(util::CancelSource& cancel) {
  std::thread([&cancel] {
    while (!cancel.wait_for(std::chrono::hours(24))) {
    }
    std::this_thread::sleep_for(k_cancel_grace);
    std::fprintf(stderr, "ERROR: canceled: %s\n", cancel.reason().c_str());
    _exit(k_cancel_exit);
  }).detach();
}

// The chain of subcommands that parsed, e.g. "imagetools create".
std::string command_path(const CLI::App& app) {
  for (const CLI::App* sub : app.get_subcommands()) {
    std::string rest = command_path(*sub);
    return rest.empty() ? sub->get_name() : sub->get_name() + " " + rest;
  }
  return "";
}

std::vector<std::string> subcommand_names(const CLI::App& app) {
  std::vector<std::string> names;
  for (const CLI::App* sub : app.get_subcommands([](const CLI::App*) { return true; }))
    names.push_back(sub->get_name());
  return names;
}

const CLI::App& deepest(const CLI::App& app) {
  for (const CLI::App* sub : app.get_subcommands())
    return deepest(*sub);
  return app;
}

// Report a parse error like cobra does inside the docker CLI.
int report_usage_error(const CLI::App& root, const Context& ctx, const CLI::ParseError& e,
                       const std::vector<std::string>& args) {
  std::string path = command_path(root);
  std::string full = ctx.command_name() + (path.empty() ? "" : " " + path);
  std::string message = e.what();
  const CLI::App& where = deepest(root);
  if (dynamic_cast<const CLI::ExtrasError*>(&e)) {
    std::vector<std::string> extra = where.remaining();
    if (extra.empty())
      extra = args;
    std::string first = extra.empty() ? "" : extra.front();
    if (first.starts_with("-")) {
      message = "unknown flag: " + first.substr(0, first.find('='));
    } else if (path.empty() || !where.get_subcommands([](const CLI::App*) { return true; }).empty()) {
      message = "'" + first + "' is not a " + full + " command.";
      std::string guess = util::closest_match(first, subcommand_names(where));
      if (!guess.empty())
        message += "\n\nDid you mean this?\n\t" + guess;
    } else {
      message = "\"" + full + "\" got unexpected argument(s): " + util::join(extra, " ");
    }
  }
  std::fprintf(stderr, "%s\nSee '%s --help'.\n", message.c_str(), full.c_str());
  return k_usage_exit;
}

std::string builder_from_env() {
  for (const char* name : {"XBUILD_BUILDER", "BUILDX_BUILDER"})
    if (const char* v = std::getenv(name); v && *v)
      return v;
  return "";
}

} // namespace

int main(int argc, char** argv) {
  util::init_logging();
  std::vector<std::string> argv_vec(argv, argv + argc);

  // The docker CLI asks for metadata before anything else.
  if (argc > 1 && argv_vec[1] == "docker-cli-plugin-metadata")
    return print_metadata();

  const bool by_docker = std::getenv("DOCKER_CLI_PLUGIN_ORIGINAL_CLI_COMMAND") != nullptr;
  auto split = split_argv(argv_vec, by_docker);
  if (!split) {
    std::fprintf(stderr, "%s\n", split.error().message.c_str());
    return k_usage_exit;
  }

  // Lives as long as the process: the detached signal and watchdog threads
  // wait on it until exit, and destroying a waited-on condition variable hangs.
  auto& cancel = *new util::CancelSource;
  Context ctx;
  ctx.docker = split->docker;
  ctx.as_plugin = split->as_plugin;
  ctx.config_dir = docker_config_dir(ctx.docker.config);
  ctx.cancel = &cancel;

  // Signals and the CLI's socket both lead to one cancellation path.
  start_signal_thread(cancel);
  start_cancel_watchdog(cancel);
  std::unique_ptr<PluginSocketWatch> socket_watch;
  if (const char* addr = std::getenv("DOCKER_CLI_PLUGIN_SOCKET"); addr && *addr) {
    auto watch = PluginSocketWatch::start(addr, cancel);
    if (!watch) {
      std::fprintf(stderr, "ERROR: %s\n", watch.error().message.c_str());
      return 1;
    }
    socket_watch = std::move(*watch);
  }

  CLI::App root{"Extended build capabilities with BuildKit-compatible semantics",
                ctx.command_name()};
  root.require_subcommand(0, 1);
  root.fallthrough(false);
  std::string builder;
  bool debug = false;
  root.add_option("--builder", builder, "Override the configured builder instance");
  root.add_flag("-D,--debug", debug, "Enable debug logging");
  register_bake(root, ctx);
  register_build(root, ctx);
  register_create(root, ctx);
  register_du(root, ctx);
  register_imagetools(root, ctx);
  register_inspect(root, ctx);
  register_install_emulators(root, ctx);
  register_ls(root, ctx);
  register_prune(root, ctx);
  register_rm(root, ctx);
  register_stop(root, ctx);
  register_use(root, ctx);
  register_version(root, ctx);

  // Global options must be in effect before a command's callback runs.
  root.parse_complete_callback([&] {
    ctx.builder = !builder.empty() ? builder : builder_from_env();
    ctx.debug = debug || ctx.docker.debug;
    if (ctx.docker.log_level)
      util::set_log_level(*ctx.docker.log_level);
    if (ctx.debug) {
      util::set_log_level("debug");
      // Say where docker would send us; resolving is cheap and explains a lot.
      if (auto ep = ctx.docker_endpoint(); !ep)
        spdlog::debug("docker endpoint not resolved: {}", ep.error().message);
    }
  });

  std::vector<std::string> args = split->args;
  std::vector<std::string> reversed(args.rbegin(), args.rend());
  try {
    root.parse(reversed);
  } catch (const CLI::CallForHelp&) {
    std::printf("%s", deepest(root).help().c_str());
    return 0;
  } catch (const CLI::CallForAllHelp&) {
    std::printf("%s", root.help("", CLI::AppFormatMode::All).c_str());
    return 0;
  } catch (const CLI::ParseError& e) {
    return report_usage_error(root, ctx, e, args);
  } catch (const FatalError& e) {
    std::fprintf(stderr, "ERROR: %s\n", e.error.message.c_str());
    return e.error.exit_code;
  }
  if (root.get_subcommands().empty()) {
    std::printf("%s", root.help().c_str());
    return 0;
  }
  return ctx.exit_code;
}

} // namespace xbuild::plugin
