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
// `docker xbuild install-emulators` (plugin/commands/install_emulators.cpp)
// calls install_emulators(), which registers Debian's qemu-user-static
// handlers from /usr/lib/binfmt.d/qemu-*.conf, adding the F flag where missing.

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

// One handler line of a binfmt.d file (systemd format, as Debian's
// qemu-user-static ships them): ":name:type:offset:magic:mask:interpreter:flags",
// the first character being the delimiter.
struct BinfmtConfEntry {
  std::string name;
  std::string interpreter;
  std::string flags;
  BinfmtHandler handler; // magic/mask decoded from their \xNN escapes
  std::string line;      // the line as written in the file
  std::filesystem::path file;
};

// Parses a binfmt.d file's text; comments (# ;) and blank lines are skipped,
// a malformed line is an error naming `file` and the line number.
Result<std::vector<BinfmtConfEntry>> parse_binfmt_conf(std::string_view text,
                                                       const std::filesystem::path& file = {});

// The GOARCH whose executables `entry` claims (by its magic/mask against
// elf_header), or "" for one we do not build for (alpha, cris, …).
std::string binfmt_architecture(const BinfmtConfEntry& entry);

// The string written to binfmt_misc's register file: the conf line with the
// F (fix binary) flag added when it lacks it, so the interpreter works after
// pivot_root into a rootfs without QEMU.
std::string registration_line(const BinfmtConfEntry& entry);

struct EmulatorSelection {
  std::filesystem::path conf_dir = k_binfmt_conf_dir;
  std::filesystem::path binfmt_dir = k_binfmt_dir;
  std::string name_prefix = "qemu-";
  // GOARCH values to handle; empty = every handler in conf_dir.
  std::vector<std::string> architectures;
};

// The conf entries a selection names, sorted by file. Fails when conf_dir
// holds none (qemu-user-static is not installed), or when an architecture
// asked for is unknown or has no handler there.
Result<std::vector<BinfmtConfEntry>> select_emulators(const EmulatorSelection& selection);

struct InstallReport {
  std::vector<std::string> registered;      // handler names newly registered (or removed)
  std::vector<std::string> already_present; // left as they were
  std::vector<std::string> skipped;         // "name: reason"
};

// Registers the selected handlers into `binfmt_dir`/register. Handlers already
// registered (by name, or another F-flag handler claiming the same
// architecture) are left alone; handlers whose interpreter is missing are
// skipped; binfmt_misc is mounted first when needed. Needs root.
Result<InstallReport> install_emulators(const EmulatorSelection& selection);

// Removes the selected handlers that are registered under their conf name
// (writes -1 to `binfmt_dir`/<name>); others are reported as already absent.
Result<InstallReport> uninstall_emulators(const EmulatorSelection& selection);

// The GOARCH values elf_header knows, for messages ("amd64, arm64, …").
std::vector<std::string> known_architectures();

} // namespace xbuild::engine::exec
