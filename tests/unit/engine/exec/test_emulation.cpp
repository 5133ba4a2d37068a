// binfmt_misc detection against fake handler directories and the real one,
// registration into the real binfmt_misc (with a private handler name), and
// a foreign-architecture binary running inside the sandbox.

#include <catch2/catch.hpp>

#include <fcntl.h>
#include <sys/mount.h>
#include <unistd.h>

#include "engine/exec/emulation.hpp"
#include "engine/exec/sandbox.hpp"
#include "tests/unit/engine/exec/rootfs_fixture.hpp"
#include "util/fs.hpp"

using namespace xbuild;
using namespace xbuild::engine::exec;
namespace fs = std::filesystem;

namespace {

// Debian's qemu-aarch64 handler as the kernel shows it.
const char* k_aarch64_handler = "enabled\n"
                                "interpreter /usr/libexec/qemu-binfmt/aarch64-binfmt-P\n"
                                "flags: POF\n"
                                "offset 0\n"
                                "magic 7f454c460201010000000000000000000200b700\n"
                                "mask ffffffffffffff00fffffffffffffffffeffffff\n";

oci::Platform platform(const char* text) { return *oci::Platform::parse(text); }

struct FakeBinfmt {
  util::TempDir dir{"xbuild-binfmt"};
  FakeBinfmt() {
    REQUIRE(util::write_file_atomic(dir.path() / "register", ""));
    REQUIRE(util::write_file_atomic(dir.path() / "status", "enabled\n"));
  }
  void add(const std::string& name, const std::string& text) {
    REQUIRE(util::write_file_atomic(dir.path() / name, text));
  }
};

} // namespace

TEST_CASE("a handler file parses into flags, interpreter, magic and mask",
          "[engine][exec][emulation]") {
  auto h = parse_binfmt_handler("qemu-aarch64", k_aarch64_handler);
  REQUIRE(h);
  CHECK(h->enabled);
  CHECK(h->interpreter == "/usr/libexec/qemu-binfmt/aarch64-binfmt-P");
  CHECK(h->has_flag('F'));
  CHECK(h->magic.size() == 20);
  CHECK(h->mask.size() == 20);
  CHECK_FALSE(parse_binfmt_handler("x", "enabled\nmagic 7g\n"));
}

TEST_CASE("handlers are matched by ELF header, not by name", "[engine][exec][emulation]") {
  auto h = *parse_binfmt_handler("whatever-name", k_aarch64_handler);
  CHECK(handler_matches(h, *elf_header("arm64")));
  CHECK_FALSE(handler_matches(h, *elf_header("amd64")));
  CHECK_FALSE(handler_matches(h, *elf_header("riscv64")));
  // ET_DYN (PIE) binaries match too: the mask ignores the low bit of e_type.
  auto pie = *elf_header("arm64");
  pie[16] = 3;
  CHECK(handler_matches(h, pie));
  CHECK_FALSE(elf_header("sparc"));
}

TEST_CASE("the host's own architecture needs no emulation", "[engine][exec][emulation]") {
  FakeBinfmt fake;
  auto c = check_emulation(platform("linux/amd64"), platform("linux/amd64"), fake.dir.path());
  REQUIRE(c);
  CHECK(c->kind == Emulation::native);
  auto i386 = check_emulation(platform("linux/386"), platform("linux/amd64"), fake.dir.path());
  REQUIRE(i386);
  CHECK(i386->kind == Emulation::native);
}

TEST_CASE("a registered F-flag handler makes a foreign platform usable",
          "[engine][exec][emulation]") {
  FakeBinfmt fake;
  fake.add("aarch64", k_aarch64_handler);
  auto c = check_emulation(platform("linux/arm64"), platform("linux/amd64"), fake.dir.path());
  REQUIRE(c);
  CHECK(c->kind == Emulation::emulated);
  CHECK(c->handler == "aarch64");
}

TEST_CASE("a missing handler is an error that says how to enable it", "[engine][exec][emulation]") {
  FakeBinfmt fake;
  auto c = check_emulation(platform("linux/arm64"), platform("linux/amd64"), fake.dir.path());
  REQUIRE_FALSE(c);
  const auto& msg = c.error().message;
  CHECK(msg.find("cannot run linux/arm64 build steps on this linux/amd64 host") == 0);
  CHECK(msg.find("no binfmt_misc handler for aarch64") != std::string::npos);
  CHECK(msg.find("apt-get install qemu-user-static") != std::string::npos);
  CHECK(msg.find("docker xbuild install-emulators") != std::string::npos);
}

TEST_CASE("a handler without the F flag or disabled does not count", "[engine][exec][emulation]") {
  FakeBinfmt fake;
  std::string no_f = k_aarch64_handler;
  no_f.replace(no_f.find("POF"), 3, "P");
  fake.add("qemu-aarch64", no_f);
  auto c = check_emulation(platform("linux/arm64"), platform("linux/amd64"), fake.dir.path());
  REQUIRE_FALSE(c);
  CHECK(c.error().message.find("without the F (fix binary) flag") != std::string::npos);
  std::string disabled = k_aarch64_handler;
  disabled.replace(0, 7, "disabled");
  fake.add("qemu-aarch64", disabled);
  c = check_emulation(platform("linux/arm64"), platform("linux/amd64"), fake.dir.path());
  REQUIRE_FALSE(c);
  CHECK(c.error().message.find("no binfmt_misc handler") != std::string::npos);
}

TEST_CASE("binfmt_misc not mounted is reported with the mount command",
          "[engine][exec][emulation]") {
  util::TempDir empty("xbuild-binfmt");
  auto c = check_emulation(platform("linux/arm64"), platform("linux/amd64"), empty.path());
  REQUIRE_FALSE(c);
  CHECK(c.error().message.find("mount -t binfmt_misc binfmt_misc") != std::string::npos);
}

TEST_CASE("install_emulators registers handlers from binfmt.d files with the F flag",
          "[engine][exec][emulation]") {
  if (::geteuid() != 0 || !fs::exists(fs::path(k_binfmt_dir) / "register")) {
    WARN("skipped: needs root and a mounted binfmt_misc");
    return;
  }
  util::TempDir conf("xbuild-binfmtd");
  std::string name = "xbuild-test-" + std::to_string(::getpid());
  // A magic no real file has, and a flag-less line: the F flag must be added.
  REQUIRE(
      util::write_file_atomic(conf.path() / ("qemu-" + name + ".conf"),
                              "# test handler\n:" + name + ":M::\\x7fXBUILDTEST::/bin/true:\n"));
  REQUIRE(util::write_file_atomic(conf.path() / "qemu-missing.conf",
                                  ":xbuild-missing-interp:M::\\x7fXBNOPE::/no/such/qemu:F\n"));
  auto report = install_emulators(conf.path());
  if (!report)
    FAIL(report.error().message);
  fs::path registered = fs::path(k_binfmt_dir) / name;
  bool exists = fs::exists(registered);
  auto text = util::read_file(registered).value_or("");
  if (exists) { // unregister before asserting, so a failure leaves no trace
    int fd = ::open(registered.c_str(), O_WRONLY);
    if (fd >= 0) {
      [[maybe_unused]] auto w = ::write(fd, "-1", 2);
      ::close(fd);
    }
  }
  CHECK(report->registered == std::vector<std::string>{name});
  REQUIRE(report->skipped.size() == 1);
  CHECK(report->skipped[0].find("xbuild-missing-interp") == 0);
  CHECK(exists);
  auto handler = parse_binfmt_handler(name, text);
  REQUIRE(handler);
  CHECK(handler->has_flag('F'));
  CHECK(handler->interpreter == "/bin/true");
  CHECK_FALSE(fs::exists(registered));
  // A second run finds Debian's handler (if this host has it) already there.
  if (fs::exists(fs::path(k_binfmt_dir) / "qemu-aarch64") &&
      fs::exists("/usr/lib/binfmt.d/qemu-aarch64.conf")) {
    auto again = install_emulators(k_binfmt_conf_dir, k_binfmt_dir, "qemu-aarch64");
    REQUIRE(again);
    CHECK(again->already_present == std::vector<std::string>{"qemu-aarch64"});
    CHECK(again->registered.empty());
  }
}

namespace {
// A complete static aarch64 Linux program: exit(42). ELF header, one PT_LOAD
// program header, three instructions.
std::string aarch64_exit42() {
  std::string elf(132, '\0');
  auto put = [&](size_t at, uint64_t v, int bytes) {
    for (int i = 0; i < bytes; ++i)
      elf[at + static_cast<size_t>(i)] = static_cast<char>((v >> (8 * i)) & 0xff);
  };
  const char ident[] = {0x7f, 'E', 'L', 'F', 2, 1, 1};
  for (size_t i = 0; i < sizeof ident; ++i)
    elf[i] = ident[i];
  const uint64_t base = 0x400000;
  put(16, 2, 2);           // e_type = ET_EXEC
  put(18, 183, 2);         // e_machine = EM_AARCH64
  put(20, 1, 4);           // e_version
  put(24, base + 120, 8);  // e_entry
  put(32, 64, 8);          // e_phoff
  put(52, 64, 2);          // e_ehsize
  put(54, 56, 2);          // e_phentsize
  put(56, 1, 2);           // e_phnum
  put(64, 1, 4);           // p_type = PT_LOAD
  put(68, 5, 4);           // p_flags = R|X
  put(80, base, 8);        // p_vaddr
  put(88, base, 8);        // p_paddr
  put(96, elf.size(), 8);  // p_filesz
  put(104, elf.size(), 8); // p_memsz
  put(112, 0x1000, 8);     // p_align
  put(120, 0xd2800540, 4); // mov x0, #42
  put(124, 0xd2800ba8, 4); // mov x8, #93 (exit)
  put(128, 0xd4000001, 4); // svc #0
  return elf;
}
} // namespace

TEST_CASE("an arm64 binary runs inside the sandbox through the F-flag handler",
          "[engine][exec][emulation][sandbox]") {
  XBUILD_REQUIRE_SANDBOX();
  auto check = check_emulation(platform("linux/arm64"));
  if (!check) {
    WARN("skipped: " << check.error().message);
    return;
  }
  test::BusyboxRootfs rootfs;
  REQUIRE(util::write_file_atomic(rootfs.path() / "bin/arm64-exit42", aarch64_exit42(), 0755));
  ExecSpec spec;
  spec.rootfs = rootfs.path();
  spec.argv = {"/bin/arm64-exit42"};
  util::CancelSource cancel;
  auto st = execute(spec, nullptr, cancel);
  XBUILD_REQUIRE_OK(st);
  // QEMU is not in the rootfs: only the F flag's pre-opened interpreter can run it.
  CHECK_FALSE(fs::exists(rootfs.path() / "usr"));
  CHECK(st->exit_code == 42);
}

TEST_CASE("install_emulators mounts binfmt_misc where it is missing", "[engine][exec][emulation]") {
  if (::geteuid() != 0 || !fs::exists(fs::path(k_binfmt_dir) / "register")) {
    WARN("skipped: needs root and binfmt_misc support");
    return;
  }
  util::TempDir where("xbuild-binfmt-mnt");
  util::TempDir conf("xbuild-binfmtd");
  std::string name = "xbuild-mnt-test-" + std::to_string(::getpid());
  REQUIRE(util::write_file_atomic(conf.path() / ("qemu-" + name + ".conf"),
                                  ":" + name + ":M::\\x7fXBMNTTEST::/bin/true:F\n"));
  auto report = install_emulators(conf.path(), where.path());
  bool mounted = fs::exists(where.path() / "register");
  // binfmt_misc has one instance here: the handler shows in /proc too.
  fs::path registered = fs::path(k_binfmt_dir) / name;
  bool exists = fs::exists(registered);
  if (exists) {
    int fd = ::open(registered.c_str(), O_WRONLY);
    if (fd >= 0) {
      [[maybe_unused]] auto w = ::write(fd, "-1", 2);
      ::close(fd);
    }
  }
  if (mounted)
    ::umount2(where.path().c_str(), MNT_DETACH);
  if (!report)
    FAIL(report.error().message);
  CHECK(mounted);
  CHECK(exists);
  CHECK(report->registered == std::vector<std::string>{name});
}
