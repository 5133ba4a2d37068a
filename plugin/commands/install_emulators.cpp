// `docker xbuild install-emulators [--platform P,...] [--uninstall]`
// (docs/commands/install-emulators.md): registers Debian's qemu-user-static
// binfmt_misc handlers, with the F flag, so foreign-platform RUN steps work.

#include <algorithm>
#include <cstdio>
#include <memory>
#include <unistd.h>

#include "engine/exec/emulation.hpp"
#include "oci/platform.hpp"
#include "plugin/commands/cli_helpers.hpp"
#include "plugin/commands/commands.hpp"
#include "plugin/context.hpp"
#include "util/strings.hpp"

namespace xbuild::plugin {
namespace {

namespace exec = engine::exec;

struct InstallEmulatorsOptions {
  std::vector<std::string> platforms; // "linux/arm64,linux/riscv64", repeatable
  bool uninstall = false;
};

void add_install_emulators(CLI::App& cmd, InstallEmulatorsOptions& o) {
  add_array(cmd, "--platform", o.platforms,
            "Only the emulators for these platforms (comma-separated; default: every "
            "qemu-user-static handler)");
  cmd.add_flag("--uninstall", o.uninstall, "Remove the handlers instead of registering them");
}

// The architectures asked for, without the host's own (it needs no emulator).
Result<std::vector<std::string>> architectures(const InstallEmulatorsOptions& o,
                                               const oci::Platform& host) {
  std::vector<std::string> out;
  for (const auto& spec : o.platforms)
    for (const auto& text : util::split(spec, ',')) {
      auto trimmed = std::string(util::trim(text));
      if (trimmed.empty())
        continue;
      auto p = TRY(oci::Platform::parse(trimmed, "--platform"));
      if (p.os != "linux")
        return fail("--platform " + trimmed + ": only linux platforms can be emulated", 125);
      if (!exec::elf_header(p.architecture)) {
        std::string known;
        for (const auto& a : exec::known_architectures())
          known += (known.empty() ? "linux/" : ", linux/") + a;
        return fail("--platform " + trimmed + ": no emulator for architecture \"" + p.architecture +
                        "\"; known: " + known,
                    125);
      }
      if (p.architecture == host.architecture) {
        std::printf("%s runs natively on this host: nothing to %s\n", p.str().c_str(),
                    o.uninstall ? "remove" : "register");
        continue;
      }
      if (std::find(out.begin(), out.end(), p.architecture) == out.end())
        out.push_back(p.architecture);
    }
  return out;
}

// "qemu-aarch64 (linux/arm64)", or the bare name for architectures we do not build for.
std::string label(const std::string& name, const std::vector<exec::BinfmtConfEntry>& entries) {
  for (const auto& e : entries)
    if (e.name == name) {
      auto arch = exec::binfmt_architecture(e);
      return arch.empty() ? name : name + " (linux/" + arch + ")";
    }
  return name;
}

Result<void> install_emulators(const InstallEmulatorsOptions& o, const std::string& command) {
  exec::EmulatorSelection sel;
  sel.architectures = TRY(architectures(o, oci::host_platform()));
  if (!o.platforms.empty() && sel.architectures.empty())
    return {}; // only the host's own platform was asked for
  if (::geteuid() != 0)
    return fail(std::string("install-emulators needs root: it mounts binfmt_misc and ") +
                (o.uninstall ? "removes handlers from " : "registers handlers in ") +
                exec::k_binfmt_dir + ". Run it as root, e.g. `sudo " + command +
                " install-emulators" + (o.uninstall ? " --uninstall`" : "`"));
  // Selected once more inside install_emulators; here for the labels.
  auto entries = TRY(exec::select_emulators(sel));
  auto report = TRY(o.uninstall ? exec::uninstall_emulators(sel) : exec::install_emulators(sel));
  for (const auto& name : report.registered)
    std::printf("%s: %s\n", label(name, entries).c_str(), o.uninstall ? "removed" : "registered");
  for (const auto& name : report.already_present) {
    // "qemu-aarch64 (as aarch64)": another installer's handler serves it.
    auto space = name.find(' ');
    std::string base = name.substr(0, space);
    std::string rest = space == std::string::npos ? "" : name.substr(space);
    std::printf("%s: %s%s\n", label(base, entries).c_str(),
                o.uninstall ? "not registered" : "already registered", rest.c_str());
  }
  for (const auto& why : report.skipped)
    std::printf("%s (skipped)\n", why.c_str());
  // A platform asked for by name that could not be registered is a failure.
  if (!o.uninstall && !o.platforms.empty() && !report.skipped.empty())
    return fail("some emulators asked for were not registered (see above)");
  return {};
}

int run_install_emulators(Context& ctx, const InstallEmulatorsOptions& o) {
  auto r = install_emulators(o, ctx.command_name());
  return r ? 0 : print_error(r.error());
}

} // namespace

void register_install_emulators(CLI::App& root, Context& ctx) {
  auto opts = std::make_shared<InstallEmulatorsOptions>();
  auto* cmd = root.add_subcommand(
      "install-emulators", "Register QEMU emulators (binfmt_misc) for foreign-platform RUN steps");
  add_install_emulators(*cmd, *opts);
  cmd->callback([&ctx, opts] { ctx.exit_code = run_install_emulators(ctx, *opts); });
}

} // namespace xbuild::plugin
