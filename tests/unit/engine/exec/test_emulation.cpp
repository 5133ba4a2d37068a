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
#include "util/strings.hpp"

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

// A selection without designated initializers (-Wmissing-field-initializers).
EmulatorSelection selection(const fs::path& conf_dir, const fs::path& binfmt_dir = k_binfmt_dir,
                            std::vector<std::string> architectures = {},
                            std::string name_prefix = "qemu-") {
  EmulatorSelection s;
  s.conf_dir = conf_dir;
  s.binfmt_dir = binfmt_dir;
  s.architectures = std::move(architectures);
  s.name_prefix = std::move(name_prefix);
  return s;
}

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
  auto report = install_emulators(selection(conf.path()));
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
    auto again = install_emulators(selection(k_binfmt_conf_dir, k_binfmt_dir, {}, "qemu-aarch64"));
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
  auto report = install_emulators(selection(conf.path(), where.path()));
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

// ---- binfmt.d files, selection and registration against a fake binfmt_misc ----

namespace {

// Debian's qemu-user-static files, as shipped (aarch64 already has OPF).
const char* k_aarch64_conf =
    ":qemu-aarch64:M::\\x7f\\x45\\x4c\\x46\\x02\\x01\\x01\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00"
    "\\x00\\x02\\x00\\xb7\\x00:"
    "\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\x00\\xff\\xff\\xff\\xff\\xff\\xff"
    "\\xff\\xff\\xfe\\xff\\xff\\xff:/usr/libexec/qemu-binfmt/aarch64-binfmt-P:OP\n";
const char* k_riscv64_conf =
    "# riscv64\n:qemu-riscv64:M::\\x7f\\x45\\x4c\\x46\\x02\\x01\\x01\\x00\\x00\\x00\\x00\\x00\\x00"
    "\\x00\\x00\\x00\\x02\\x00\\xf3\\x00:"
    "\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\x00\\xff\\xff\\xff\\xff"
    "\\xff\\xff\\xff\\xff\\xfe\\xff\\xff\\xff:/usr/libexec/qemu-binfmt/riscv64-binfmt-P:PF\n";
const char* k_alpha_conf =
    ":qemu-alpha:M::\\x7fELF\\x02\\x01\\x01\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00"
    "\\x02\\x00\\x26\\x90:\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\x00\\xff\\xff\\xff\\xff"
    "\\xff\\xff\\xff\\xff\\xfe\\xff\\xff\\xff:/usr/libexec/qemu-binfmt/alpha-binfmt-P\n";

struct FakeConfDir {
  util::TempDir dir{"xbuild-binfmtd"};
  FakeConfDir() {
    add("qemu-aarch64.conf", k_aarch64_conf);
    add("qemu-riscv64.conf", k_riscv64_conf);
    add("qemu-alpha.conf", k_alpha_conf);
    add("python3.11.conf", ":python3.11:M::\\xa7\\x0d\\x0d\\x0a::/usr/bin/python3.11:\n");
  }
  void add(const std::string& name, const std::string& text) {
    REQUIRE(util::write_file_atomic(dir.path() / name, text));
  }
};

std::string replaced(std::string s, const std::string& from, const std::string& to) {
  s.replace(s.find(from), from.size(), to);
  return s;
}

std::vector<std::string> names(const std::vector<BinfmtConfEntry>& entries) {
  std::vector<std::string> out;
  for (const auto& e : entries)
    out.push_back(e.name);
  return out;
}

} // namespace

TEST_CASE("a binfmt.d line parses into name, flags and the decoded magic and mask",
          "[engine][exec][emulation][install]") {
  auto entries = parse_binfmt_conf(k_aarch64_conf, "qemu-aarch64.conf");
  REQUIRE(entries);
  REQUIRE(entries->size() == 1);
  const auto& e = entries->front();
  CHECK(e.name == "qemu-aarch64");
  CHECK(e.interpreter == "/usr/libexec/qemu-binfmt/aarch64-binfmt-P");
  CHECK(e.flags == "OP");
  CHECK(e.handler.magic.size() == 20);
  CHECK(e.handler.mask.size() == 20);
  // The same bytes the kernel shows once it is registered.
  auto kernel = *parse_binfmt_handler("qemu-aarch64", k_aarch64_handler);
  CHECK(e.handler.magic == kernel.magic);
  CHECK(e.handler.mask == kernel.mask);
  CHECK(binfmt_architecture(e) == "arm64");
  auto riscv = parse_binfmt_conf(k_riscv64_conf);
  REQUIRE(riscv);
  CHECK(binfmt_architecture(riscv->front()) == "riscv64");
  auto alpha = parse_binfmt_conf(k_alpha_conf);
  REQUIRE(alpha);
  CHECK(binfmt_architecture(alpha->front()).empty());
}

TEST_CASE("a malformed binfmt.d line is an error with file and line number",
          "[engine][exec][emulation][install]") {
  auto bad = parse_binfmt_conf("# ok\n:qemu-x:Q::\\x7f::/bin/q:F\n", "/etc/binfmt.d/x.conf");
  REQUIRE_FALSE(bad);
  CHECK(bad.error().message.find("/etc/binfmt.d/x.conf:2: not a binfmt_misc handler") == 0);
  auto lengths = parse_binfmt_conf(":qemu-x:M::\\x7fELF:\\xff:/bin/q:F\n", "x.conf");
  REQUIRE_FALSE(lengths);
  CHECK(lengths.error().message.find("differ in length") != std::string::npos);
}

TEST_CASE("the registration line gets the F flag when it lacks it",
          "[engine][exec][emulation][install]") {
  auto one = [](const std::string& line) { return parse_binfmt_conf(line)->front(); };
  CHECK(registration_line(one(":a:M::\\x7fA::/bin/a:OP")) == ":a:M::\\x7fA::/bin/a:OPF");
  CHECK(registration_line(one(":a:M::\\x7fA::/bin/a:")) == ":a:M::\\x7fA::/bin/a:F");
  CHECK(registration_line(one(":a:M::\\x7fA::/bin/a")) == ":a:M::\\x7fA::/bin/a:F");
  CHECK(registration_line(one(":a:M::\\x7fA::/bin/a:POF")) == ":a:M::\\x7fA::/bin/a:POF");
}

TEST_CASE("emulators are selected by platform architecture, or all of them",
          "[engine][exec][emulation][install]") {
  FakeConfDir conf;
  auto all = select_emulators(selection(conf.dir.path()));
  REQUIRE(all);
  CHECK(names(*all) == std::vector<std::string>{"qemu-aarch64", "qemu-alpha", "qemu-riscv64"});
  auto some = select_emulators(selection(conf.dir.path(), k_binfmt_dir, {"riscv64", "arm64"}));
  REQUIRE(some);
  CHECK(names(*some) == std::vector<std::string>{"qemu-riscv64", "qemu-aarch64"});

  auto unknown = select_emulators(selection(conf.dir.path(), k_binfmt_dir, {"sparc"}));
  REQUIRE_FALSE(unknown);
  CHECK(unknown.error().message.find("cannot emulate architecture \"sparc\": known "
                                     "architectures are amd64, arm64") == 0);
  auto missing = select_emulators(selection(conf.dir.path(), k_binfmt_dir, {"s390x"}));
  REQUIRE_FALSE(missing);
  CHECK(missing.error().message.find("no binfmt handler for s390x binaries") == 0);
  CHECK(missing.error().message.find("apt-get install qemu-user-static") != std::string::npos);

  util::TempDir empty("xbuild-binfmtd");
  auto none = select_emulators(selection(empty.path()));
  REQUIRE_FALSE(none);
  CHECK(none.error().message.find("no QEMU binfmt handlers (qemu-*.conf) in ") == 0);
  CHECK(none.error().message.find("apt-get install qemu-user-static") != std::string::npos);
}

TEST_CASE("install_emulators writes F-flag lines to register and is idempotent",
          "[engine][exec][emulation][install]") {
  FakeConfDir conf;
  FakeBinfmt binfmt;
  // Interpreters that exist on every host, so none is skipped.
  conf.add("qemu-aarch64.conf",
           replaced(k_aarch64_conf, "/usr/libexec/qemu-binfmt/aarch64-binfmt-P", "/bin/sh"));
  conf.add("qemu-riscv64.conf",
           replaced(k_riscv64_conf, "/usr/libexec/qemu-binfmt/riscv64-binfmt-P", "/bin/sh"));
  auto sel = selection(conf.dir.path(), binfmt.dir.path(), {"arm64", "riscv64"});
  auto report = install_emulators(sel);
  if (!report)
    FAIL(report.error().message);
  CHECK(report->registered == std::vector<std::string>{"qemu-aarch64", "qemu-riscv64"});
  auto written = util::read_file(binfmt.dir.path() / "register").value_or("");
  auto lines = util::split(written, '\n');
  REQUIRE(lines.size() == 3); // two lines and the empty rest after the last newline
  CHECK(util::ends_with(lines[0], ":/bin/sh:OPF"));
  CHECK(util::ends_with(lines[1], ":/bin/sh:PF"));

  // The kernel now lists them: a second run changes nothing.
  binfmt.add("qemu-aarch64", k_aarch64_handler);
  binfmt.add("qemu-riscv64", k_aarch64_handler); // only its name matters here
  REQUIRE(util::write_file_atomic(binfmt.dir.path() / "register", ""));
  auto again = install_emulators(sel);
  REQUIRE(again);
  CHECK(again->registered.empty());
  CHECK(again->already_present == std::vector<std::string>{"qemu-aarch64", "qemu-riscv64"});
  CHECK(util::read_file(binfmt.dir.path() / "register").value_or("x").empty());
}

TEST_CASE("a handler another installer registered for the architecture counts as present",
          "[engine][exec][emulation][install]") {
  FakeConfDir conf;
  FakeBinfmt binfmt;
  binfmt.add("aarch64", k_aarch64_handler); // e.g. tonistiigi/binfmt's name
  auto report = install_emulators(selection(conf.dir.path(), binfmt.dir.path(), {"arm64"}));
  REQUIRE(report);
  CHECK(report->registered.empty());
  CHECK(report->already_present == std::vector<std::string>{"qemu-aarch64 (as aarch64)"});
}

TEST_CASE("a handler whose interpreter is missing is skipped, with the reason",
          "[engine][exec][emulation][install]") {
  FakeConfDir conf;
  FakeBinfmt binfmt;
  conf.add("qemu-aarch64.conf",
           replaced(k_aarch64_conf, "/usr/libexec/qemu-binfmt/", "/no/such/dir/"));
  auto report = install_emulators(selection(conf.dir.path(), binfmt.dir.path(), {"arm64"}));
  REQUIRE(report);
  CHECK(report->registered.empty());
  REQUIRE(report->skipped.size() == 1);
  CHECK(report->skipped[0] == "qemu-aarch64: interpreter /no/such/dir/aarch64-binfmt-P is missing");
}

TEST_CASE("uninstall_emulators removes registered handlers by name",
          "[engine][exec][emulation][install]") {
  FakeConfDir conf;
  FakeBinfmt binfmt;
  binfmt.add("qemu-aarch64", k_aarch64_handler);
  auto report =
      uninstall_emulators(selection(conf.dir.path(), binfmt.dir.path(), {"arm64", "riscv64"}));
  REQUIRE(report);
  CHECK(report->registered == std::vector<std::string>{"qemu-aarch64"});
  CHECK(report->already_present == std::vector<std::string>{"qemu-riscv64"});
  // The kernel takes "-1" written to the handler's file as "remove".
  CHECK(util::ends_with(util::read_file(binfmt.dir.path() / "qemu-aarch64").value_or(""), "-1"));
}

TEST_CASE("a handler registered under its name without the F flag is reported, not kept quiet",
          "[engine][exec][emulation][install]") {
  FakeConfDir conf;
  FakeBinfmt binfmt;
  std::string no_f = k_aarch64_handler;
  no_f.replace(no_f.find("POF"), 3, "P");
  binfmt.add("qemu-aarch64", no_f);
  auto report = install_emulators(selection(conf.dir.path(), binfmt.dir.path(), {"arm64"}));
  REQUIRE(report);
  CHECK(report->already_present.empty());
  REQUIRE(report->skipped.size() == 1);
  CHECK(report->skipped[0].find("qemu-aarch64: registered without the F (fix binary) flag") == 0);
}
