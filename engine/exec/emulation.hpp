#pragma once
// Foreign-architecture RUN steps through binfmt_misc and QEMU.
//
// The kernel runs an arm64 binary on an amd64 host when binfmt_misc has a
// handler whose magic/mask matches the binary's ELF header. For a sandbox
// the handler must carry the F ("fix binary") flag: the kernel then opens
// the interpreter at registration time, so it works after pivot_root into a
// rootfs that does not contain QEMU. We detect a handler by matching the
// registered magic/mask against a synthetic ELF header of the target
// architecture — names differ between installers (Debian's qemu-aarch64,
// tonistiigi/binfmt's qemu-aarch64, others' aarch64), headers do not.
//
// `docker xbuild install-emulators` (CLI wiring elsewhere) calls
// install_emulators(), which registers Debian's qemu-user-static handlers
// from /usr/lib/binfmt.d/qemu-*.conf, adding the F flag where missing.

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "oci/platform.hpp"
#include "util/error.hpp"

namespace xbuild::engine::exec {

inline const char* k_binfmt_dir = "/proc/sys/fs/binfmt_misc";
inline const char* k_binfmt_conf_dir = "/usr/lib/binfmt.d";

// One registered handler, as /proc/sys/fs/binfmt_misc/<name> describes it.
struct BinfmtHandler {
  std::string name;
  bool enabled = false;
  std::string interpreter;
  std::string flags; // e.g. "POF"
  size_t offset = 0;
  std::string magic; // raw bytes; empty for extension handlers
  std::string mask;  // raw bytes, same length as magic
  bool has_flag(char f) const { return flags.find(f) != std::string::npos; }
};

// Parses the text of a handler file ("enabled\ninterpreter …\nflags: …").
Result<BinfmtHandler> parse_binfmt_handler(std::string_view name, std::string_view text);

// The first 20 bytes of an executable ELF file for `architecture` (GOARCH
// spelling: amd64, arm64, arm, 386, ppc64le, s390x, riscv64, mips64le,
// loong64), or nullopt when we do not know it.
std::optional<std::string> elf_header(std::string_view architecture);

// Whether `handler` would claim a binary starting with `header`.
bool handler_matches(const BinfmtHandler& handler, std::string_view header);

enum class Emulation {
  native,   // the host runs it directly
  emulated, // a usable binfmt_misc handler exists
};

struct EmulationCheck {
  Emulation kind = Emulation::native;
  std::string handler;     // handler name when emulated
  std::string interpreter; // its interpreter
};

// Decides how RUN steps for `target` can execute on `host`, or fails with a
// message that says exactly how to enable emulation.
Result<EmulationCheck> check_emulation(const oci::Platform& target,
                                       const oci::Platform& host = oci::host_platform(),
                                       const std::filesystem::path& binfmt_dir = k_binfmt_dir);

struct InstallReport {
  std::vector<std::string> registered;      // handler names newly registered
  std::vector<std::string> already_present; // left as they were
  std::vector<std::string> skipped;         // "name: reason"
};

// Registers the handlers described by `conf_dir`/qemu-*.conf (systemd
// binfmt.d format, one ":name:type:offset:magic:mask:interpreter:flags" line)
// into `binfmt_dir`/register. Handlers already registered are left alone;
// handlers whose interpreter is missing are skipped; binfmt_misc is mounted
// first when needed. Needs root.
Result<InstallReport> install_emulators(const std::filesystem::path& conf_dir = k_binfmt_conf_dir,
                                        const std::filesystem::path& binfmt_dir = k_binfmt_dir,
                                        std::string_view name_prefix = "qemu-");

} // namespace xbuild::engine::exec
