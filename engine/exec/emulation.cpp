#include "engine/exec/emulation.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/mount.h>
#include <unistd.h>

#include "util/fs.hpp"
#include "util/strings.hpp"

namespace xbuild::engine::exec {
namespace fs = std::filesystem;
namespace {

std::optional<std::string> unhex(std::string_view s) {
  if (s.size() % 2 != 0)
    return std::nullopt;
  std::string out;
  for (size_t i = 0; i < s.size(); i += 2) {
    unsigned v = 0;
    for (char c : s.substr(i, 2)) {
      v <<= 4;
      if (c >= '0' && c <= '9')
        v |= static_cast<unsigned>(c - '0');
      else if (c >= 'a' && c <= 'f')
        v |= static_cast<unsigned>(c - 'a' + 10);
      else if (c >= 'A' && c <= 'F')
        v |= static_cast<unsigned>(c - 'A' + 10);
      else
        return std::nullopt;
    }
    out.push_back(static_cast<char>(v));
  }
  return out;
}

struct ElfArch {
  const char* goarch;
  const char* qemu;        // QEMU's name, for messages
  unsigned char elf_class; // 1 = 32-bit, 2 = 64-bit
  unsigned char data;      // 1 = little endian, 2 = big endian
  unsigned machine;        // e_machine
};

constexpr ElfArch k_arches[] = {
    {"amd64", "x86_64", 2, 1, 62},
    {"arm64", "aarch64", 2, 1, 183},
    {"arm", "arm", 1, 1, 40},
    {"386", "i386", 1, 1, 3},
    {"ppc64le", "ppc64le", 2, 1, 21},
    {"s390x", "s390x", 2, 2, 22},
    {"riscv64", "riscv64", 2, 1, 243},
    {"mips64le", "mips64el", 2, 1, 8},
    {"loong64", "loongarch64", 2, 1, 258},
};

const ElfArch* find_arch(std::string_view goarch) {
  for (const auto& a : k_arches)
    if (goarch == a.goarch)
      return &a;
  return nullptr;
}

std::string how_to_enable() {
  return "To enable emulation, run as root:\n"
         "  apt-get install qemu-user-static   # Debian/Ubuntu: QEMU and its binfmt.d files\n"
         "  docker xbuild install-emulators    # registers the handlers with the F flag";
}

// A conf line: ":name:type:offset:magic:mask:interpreter:flags" (the first
// character is the delimiter, usually ':').
struct ConfEntry {
  std::string name, interpreter, flags, line;
};

std::optional<ConfEntry> parse_conf_line(std::string_view raw) {
  auto line = util::trim(raw);
  if (line.size() < 2 || line[0] == '#' || line[0] == ';')
    return std::nullopt;
  auto fields = util::split(line.substr(1), line[0]);
  if (fields.size() < 6)
    return std::nullopt;
  ConfEntry e{fields[0], fields[5], fields.size() > 6 ? fields[6] : "", std::string(line)};
  return e;
}

} // namespace

Result<BinfmtHandler> parse_binfmt_handler(std::string_view name, std::string_view text) {
  BinfmtHandler h;
  h.name = name;
  for (const auto& raw : util::split(text, '\n')) {
    auto line = util::trim(raw);
    auto value = [&](std::string_view key) {
      return std::string(util::trim(line.substr(key.size())));
    };
    if (line == "enabled")
      h.enabled = true;
    else if (util::starts_with(line, "interpreter "))
      h.interpreter = value("interpreter ");
    else if (util::starts_with(line, "flags:"))
      h.flags = value("flags:");
    else if (util::starts_with(line, "offset "))
      h.offset = std::stoul(value("offset "));
    else if (util::starts_with(line, "magic ") || util::starts_with(line, "mask ")) {
      bool is_magic = util::starts_with(line, "magic ");
      auto bytes = unhex(value(is_magic ? "magic " : "mask "));
      if (!bytes)
        return fail("cannot parse binfmt_misc handler " + std::string(name) + ": bad hex in \"" +
                    std::string(line) + "\"");
      (is_magic ? h.magic : h.mask) = *bytes;
    }
  }
  if (!h.magic.empty() && h.mask.empty())
    h.mask.assign(h.magic.size(), '\xff');
  return h;
}

std::optional<std::string> elf_header(std::string_view architecture) {
  const ElfArch* a = find_arch(architecture);
  if (!a)
    return std::nullopt;
  std::string h(20, '\0');
  h[0] = '\x7f', h[1] = 'E', h[2] = 'L', h[3] = 'F';
  h[4] = static_cast<char>(a->elf_class);
  h[5] = static_cast<char>(a->data);
  h[6] = 1; // EI_VERSION
  bool le = a->data == 1;
  auto put16 = [&](size_t at, unsigned v) {
    h[at + (le ? 0 : 1)] = static_cast<char>(v & 0xff);
    h[at + (le ? 1 : 0)] = static_cast<char>((v >> 8) & 0xff);
  };
  put16(16, 2); // ET_EXEC
  put16(18, a->machine);
  return h;
}

bool handler_matches(const BinfmtHandler& handler, std::string_view header) {
  if (handler.magic.empty() || handler.offset + handler.magic.size() > header.size())
    return false;
  for (size_t i = 0; i < handler.magic.size(); ++i) {
    auto m = static_cast<unsigned char>(i < handler.mask.size() ? handler.mask[i] : 0xff);
    auto want = static_cast<unsigned char>(handler.magic[i]) & m;
    auto got = static_cast<unsigned char>(header[handler.offset + i]) & m;
    if (want != got)
      return false;
  }
  return true;
}

Result<EmulationCheck> check_emulation(const oci::Platform& target, const oci::Platform& host,
                                       const fs::path& binfmt_dir) {
  if (oci::platform_matches(host, target, oci::PlatformMatch::compatible) ||
      target.architecture == host.architecture)
    return EmulationCheck{Emulation::native, "", ""};
  const ElfArch* arch = find_arch(target.architecture);
  std::string what = "cannot run " + target.str() + " build steps on this " + host.str() + " host";
  if (!arch)
    return fail(what + ": emulation of " + target.architecture + " is not supported");
  if (!fs::exists(binfmt_dir / "register"))
    return fail(what + ": binfmt_misc is not mounted at " + binfmt_dir.string() +
                ". Mount it as root with\n  mount -t binfmt_misc binfmt_misc " +
                binfmt_dir.string() + "\nthen enable emulation.\n" + how_to_enable());
  if (util::trim(util::read_file(binfmt_dir / "status").value_or("enabled")) != "enabled")
    return fail(what + ": binfmt_misc is disabled (" + (binfmt_dir / "status").string() +
                "); enable it as root with\n  echo 1 > " + (binfmt_dir / "status").string());
  auto header = *elf_header(target.architecture);
  std::error_code ec;
  std::string without_f;
  for (fs::directory_iterator it(binfmt_dir, ec), end; !ec && it != end; it.increment(ec)) {
    auto name = it->path().filename().string();
    if (name == "register" || name == "status")
      continue;
    auto text = util::read_file(it->path());
    if (!text)
      continue;
    auto handler = parse_binfmt_handler(name, *text);
    if (!handler || !handler->enabled || !handler_matches(*handler, header))
      continue;
    if (!handler->has_flag('F')) {
      without_f = name;
      continue;
    }
    return EmulationCheck{Emulation::emulated, handler->name, handler->interpreter};
  }
  if (!without_f.empty())
    return fail(what + ": the binfmt_misc handler \"" + without_f +
                "\" is registered without the F (fix binary) flag, so its interpreter is not "
                "visible inside the build sandbox. Remove it as root with\n  echo -1 > " +
                (binfmt_dir / without_f).string() + "\nand register it again.\n" + how_to_enable());
  return fail(what + ": no binfmt_misc handler for " + arch->qemu + " binaries is registered.\n" +
              how_to_enable());
}

Result<InstallReport> install_emulators(const fs::path& conf_dir, const fs::path& binfmt_dir,
                                        std::string_view name_prefix) {
  if (::geteuid() != 0)
    return fail("registering emulators needs root: run `sudo docker xbuild install-emulators`");
  // As systemd-binfmt does: mount binfmt_misc when it is not there yet.
  if (!fs::exists(binfmt_dir / "register") &&
      ::mount("binfmt_misc", binfmt_dir.c_str(), "binfmt_misc", 0, nullptr) != 0)
    return fail("binfmt_misc is not mounted at " + binfmt_dir.string() +
                " and mounting it failed (" + std::strerror(errno) +
                "): mount -t binfmt_misc binfmt_misc " + binfmt_dir.string());
  std::error_code ec;
  std::vector<fs::path> confs;
  for (fs::directory_iterator it(conf_dir, ec), end; !ec && it != end; it.increment(ec)) {
    auto file = it->path().filename().string();
    if (util::starts_with(file, name_prefix) && util::ends_with(file, ".conf"))
      confs.push_back(it->path());
  }
  if (confs.empty())
    return fail("no " + std::string(name_prefix) + "*.conf handlers in " + conf_dir.string() +
                ": install them with `apt-get install qemu-user-static`");
  std::sort(confs.begin(), confs.end());
  InstallReport report;
  for (const auto& conf : confs) {
    auto text = TRY(util::read_file(conf));
    for (const auto& raw : util::split(text, '\n')) {
      auto entry = parse_conf_line(raw);
      if (!entry)
        continue;
      if (fs::exists(binfmt_dir / entry->name)) {
        report.already_present.push_back(entry->name);
        continue;
      }
      if (!fs::exists(entry->interpreter)) {
        report.skipped.push_back(entry->name + ": interpreter " + entry->interpreter +
                                 " is missing");
        continue;
      }
      std::string line = entry->line;
      if (entry->flags.find('F') == std::string::npos)
        line += entry->flags.empty() && line.back() != ':' ? ":F" : "F";
      int fd = ::open((binfmt_dir / "register").c_str(), O_WRONLY | O_CLOEXEC);
      bool ok =
          fd >= 0 && ::write(fd, line.data(), line.size()) == static_cast<ssize_t>(line.size());
      int err = errno;
      if (fd >= 0)
        ::close(fd);
      if (!ok)
        return fail("cannot register binfmt_misc handler " + entry->name + " from " +
                    conf.string() + ": " + std::strerror(err));
      report.registered.push_back(entry->name);
    }
  }
  return report;
}

} // namespace xbuild::engine::exec
