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

std::string how_to_enable(const oci::Platform& target) {
  return "To enable emulation, run as root:\n"
         "  apt-get install qemu-user-static   # Debian/Ubuntu: QEMU and its binfmt.d files\n"
         "  docker xbuild install-emulators --platform " +
         target.str() + "   # registers the handler with the F flag";
}

// The kernel unescapes only \xNN in a registration's magic and mask.
std::string unescape_hex(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\\' && i + 3 < s.size() && (s[i + 1] == 'x' || s[i + 1] == 'X')) {
      if (auto byte = unhex(s.substr(i + 2, 2))) {
        out += *byte;
        i += 3;
        continue;
      }
    }
    out += s[i];
  }
  return out;
}

std::string join(const std::vector<std::string>& items, const char* sep) {
  std::string out;
  for (const auto& i : items)
    out += (out.empty() ? "" : sep) + i;
  return out;
}

Result<void> write_to(const fs::path& file, const std::string& text, const std::string& what) {
  // O_APPEND: binfmt_misc ignores the offset; a plain file standing in for
  // it in tests keeps every line.
  int fd = ::open(file.c_str(), O_WRONLY | O_APPEND | O_CLOEXEC);
  bool ok = fd >= 0 && ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
  int err = errno;
  if (fd >= 0)
    ::close(fd);
  if (ok)
    return {};
  if (err == EACCES || err == EPERM)
    return fail("cannot " + what + ": " + std::strerror(err) +
                " (changing binfmt_misc needs root: run `sudo docker xbuild install-emulators`)");
  return fail("cannot " + what + " (" + file.string() + "): " + std::strerror(err));
}

// The registered handlers of `binfmt_dir`, parsed; unreadable ones skipped.
std::vector<BinfmtHandler> registered_handlers(const fs::path& binfmt_dir) {
  std::vector<BinfmtHandler> out;
  std::error_code ec;
  for (fs::directory_iterator it(binfmt_dir, ec), end; !ec && it != end; it.increment(ec)) {
    auto name = it->path().filename().string();
    if (name == "register" || name == "status")
      continue;
    auto text = util::read_file(it->path());
    if (!text)
      continue;
    if (auto h = parse_binfmt_handler(name, *text))
      out.push_back(std::move(*h));
  }
  return out;
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
                binfmt_dir.string() + "\nthen enable emulation.\n" + how_to_enable(target));
  if (util::trim(util::read_file(binfmt_dir / "status").value_or("enabled")) != "enabled")
    return fail(what + ": binfmt_misc is disabled (" + (binfmt_dir / "status").string() +
                "); enable it as root with\n  echo 1 > " + (binfmt_dir / "status").string());
  auto header = *elf_header(target.architecture);
  std::string without_f;
  for (const auto& handler : registered_handlers(binfmt_dir)) {
    if (!handler.enabled || !handler_matches(handler, header))
      continue;
    if (!handler.has_flag('F')) {
      without_f = handler.name;
      continue;
    }
    return EmulationCheck{Emulation::emulated, handler.name, handler.interpreter};
  }
  if (!without_f.empty())
    return fail(what + ": the binfmt_misc handler \"" + without_f +
                "\" is registered without the F (fix binary) flag, so its interpreter is not "
                "visible inside the build sandbox. Remove it as root with\n  echo -1 > " +
                (binfmt_dir / without_f).string() + "\nand register it again.\n" +
                how_to_enable(target));
  return fail(what + ": no binfmt_misc handler for " + arch->qemu + " binaries is registered.\n" +
              how_to_enable(target));
}

Result<std::vector<BinfmtConfEntry>> parse_binfmt_conf(std::string_view text,
                                                       const fs::path& file) {
  std::vector<BinfmtConfEntry> out;
  size_t number = 0;
  for (const auto& raw : util::split(text, '\n')) {
    ++number;
    auto line = util::trim(raw);
    if (line.empty() || line[0] == '#' || line[0] == ';')
      continue;
    auto where = [&] { return file.string() + ":" + std::to_string(number); };
    auto fields =
        line.size() > 1 ? util::split(line.substr(1), line[0]) : std::vector<std::string>{};
    // name, type, offset, magic, mask, interpreter[, flags]
    if (fields.size() < 6 || fields.size() > 7 || fields[0].empty() || fields[5].empty() ||
        (fields[1] != "M" && fields[1] != "E"))
      return fail(where() + ": not a binfmt_misc handler (:name:type:offset:magic:mask:" +
                  "interpreter:flags): " + std::string(line));
    BinfmtConfEntry e;
    e.name = fields[0];
    e.interpreter = fields[5];
    e.flags = fields.size() > 6 ? fields[6] : "";
    e.line = std::string(line);
    e.file = file;
    e.handler.name = e.name;
    e.handler.enabled = true;
    e.handler.interpreter = e.interpreter;
    e.handler.flags = e.flags;
    if (fields[1] == "M") {
      if (!fields[2].empty()) {
        auto off = util::trim(fields[2]);
        if (off.find_first_not_of("0123456789") != std::string_view::npos)
          return fail(where() + ": bad offset \"" + fields[2] + "\"");
        e.handler.offset = std::stoul(std::string(off));
      }
      e.handler.magic = unescape_hex(fields[3]);
      e.handler.mask = unescape_hex(fields[4]);
      if (e.handler.mask.empty())
        e.handler.mask.assign(e.handler.magic.size(), '\xff');
      if (e.handler.magic.empty() || e.handler.mask.size() != e.handler.magic.size())
        return fail(where() + ": magic and mask of " + e.name + " differ in length");
    }
    out.push_back(std::move(e));
  }
  return out;
}

std::string binfmt_architecture(const BinfmtConfEntry& entry) {
  for (const auto& a : k_arches)
    if (handler_matches(entry.handler, *elf_header(a.goarch)))
      return a.goarch;
  return "";
}

std::string registration_line(const BinfmtConfEntry& entry) {
  if (entry.flags.find('F') != std::string::npos)
    return entry.line;
  // Without a flags field the line ends at the interpreter: add one.
  bool has_flags_field = !entry.flags.empty() || entry.line.back() == entry.line.front();
  return entry.line + (has_flags_field ? "F" : std::string(1, entry.line.front()) + "F");
}

std::vector<std::string> known_architectures() {
  std::vector<std::string> out;
  for (const auto& a : k_arches)
    out.push_back(a.goarch);
  return out;
}

Result<std::vector<BinfmtConfEntry>> select_emulators(const EmulatorSelection& sel) {
  std::error_code ec;
  std::vector<fs::path> confs;
  for (fs::directory_iterator it(sel.conf_dir, ec), end; !ec && it != end; it.increment(ec)) {
    auto file = it->path().filename().string();
    if (util::starts_with(file, sel.name_prefix) && util::ends_with(file, ".conf"))
      confs.push_back(it->path());
  }
  if (confs.empty())
    return fail("no QEMU binfmt handlers (" + sel.name_prefix + "*.conf) in " +
                sel.conf_dir.string() +
                ": install them first, as root: apt-get install qemu-user-static");
  std::sort(confs.begin(), confs.end());
  std::vector<BinfmtConfEntry> all;
  for (const auto& conf : confs)
    for (auto& e : TRY(parse_binfmt_conf(TRY(util::read_file(conf)), conf)))
      all.push_back(std::move(e));
  if (sel.architectures.empty())
    return all;
  std::vector<BinfmtConfEntry> out;
  for (const auto& arch : sel.architectures) {
    if (!elf_header(arch))
      return fail("cannot emulate architecture \"" + arch + "\": known architectures are " +
                  join(known_architectures(), ", "));
    bool found = false;
    for (const auto& e : all)
      if (binfmt_architecture(e) == arch) {
        found = true;
        if (std::none_of(out.begin(), out.end(), [&](const auto& o) { return o.name == e.name; }))
          out.push_back(e);
      }
    if (!found)
      return fail("no binfmt handler for " + arch + " binaries in " + sel.conf_dir.string() + "/" +
                  sel.name_prefix +
                  "*.conf: install it, as root: apt-get install "
                  "qemu-user-static");
  }
  return out;
}

Result<InstallReport> install_emulators(const EmulatorSelection& sel) {
  auto entries = TRY(select_emulators(sel));
  // As systemd-binfmt does: mount binfmt_misc when it is not there yet.
  if (!fs::exists(sel.binfmt_dir / "register") &&
      ::mount("binfmt_misc", sel.binfmt_dir.c_str(), "binfmt_misc", 0, nullptr) != 0) {
    int err = errno;
    return fail("binfmt_misc is not mounted at " + sel.binfmt_dir.string() +
                " and mounting it failed (" + std::strerror(err) + "): mount it as root with\n" +
                "  mount -t binfmt_misc binfmt_misc " + sel.binfmt_dir.string());
  }
  InstallReport report;
  auto present = registered_handlers(sel.binfmt_dir);
  for (const auto& e : entries) {
    if (fs::exists(sel.binfmt_dir / e.name)) {
      auto mine = std::find_if(present.begin(), present.end(),
                               [&](const BinfmtHandler& h) { return h.name == e.name; });
      if (mine != present.end() && !mine->has_flag('F'))
        report.skipped.push_back(e.name + ": registered without the F (fix binary) flag, which "
                                          "build sandboxes need; remove it with `docker xbuild "
                                          "install-emulators --uninstall` and run this again");
      else
        report.already_present.push_back(e.name);
      continue;
    }
    // Another installer's handler (tonistiigi/binfmt names them differently)
    // that already claims this architecture with the F flag: nothing to add.
    auto arch = binfmt_architecture(e);
    auto other = std::find_if(present.begin(), present.end(), [&](const BinfmtHandler& h) {
      return !arch.empty() && h.enabled && h.has_flag('F') && handler_matches(h, *elf_header(arch));
    });
    if (other != present.end()) {
      report.already_present.push_back(e.name + " (as " + other->name + ")");
      continue;
    }
    if (!fs::exists(e.interpreter)) {
      report.skipped.push_back(e.name + ": interpreter " + e.interpreter + " is missing");
      continue;
    }
    TRY_VOID(write_to(sel.binfmt_dir / "register", registration_line(e) + "\n",
                      "register binfmt_misc handler " + e.name + " from " + e.file.string()));
    report.registered.push_back(e.name);
  }
  return report;
}

Result<InstallReport> uninstall_emulators(const EmulatorSelection& sel) {
  auto entries = TRY(select_emulators(sel));
  InstallReport report;
  for (const auto& e : entries) {
    if (!fs::exists(sel.binfmt_dir / e.name)) {
      report.already_present.push_back(e.name);
      continue;
    }
    TRY_VOID(write_to(sel.binfmt_dir / e.name, "-1", "remove binfmt_misc handler " + e.name));
    report.registered.push_back(e.name);
  }
  return report;
}

} // namespace xbuild::engine::exec
