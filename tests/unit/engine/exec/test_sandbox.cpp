// The RUN sandbox against a real busybox rootfs: what a RUN step can and
// cannot see. Needs root; skipped with a reason otherwise.

#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <thread>

#include "engine/exec/executor.hpp"
#include "engine/exec/sandbox.hpp"
#include "tests/unit/engine/exec/rootfs_fixture.hpp"
#include "util/fs.hpp"
#include "util/strings.hpp"

using namespace xbuild;
using namespace xbuild::engine::exec;
namespace fs = std::filesystem;

namespace {

struct Captured {
  std::vector<std::string> out, err;
  std::string out_text() const { return util::join(out, "\n"); }
};

Result<ExitStatus> sh(const fs::path& rootfs, const std::string& script, Captured& cap,
                      ExecSpec spec = {}) {
  spec.rootfs = rootfs;
  spec.argv = {"/bin/sh", "-c", script};
  util::CancelSource cancel;
  return execute(
      spec,
      [&](Stream s, std::string_view line) {
        (s == Stream::out ? cap.out : cap.err).emplace_back(line);
      },
      cancel);
}

} // namespace

TEST_CASE("a RUN cannot read a marker file placed on the host outside the rootfs",
          "[engine][exec][sandbox]") {
  XBUILD_REQUIRE_SANDBOX();
  test::BusyboxRootfs rootfs;
  util::TempDir host_dir("xbuild-marker");
  auto marker = host_dir.path() / "secret-marker";
  REQUIRE(util::write_file_atomic(marker, "host-secret-7c1f\n"));
  Captured cap;
  std::string script = "cat " + marker.string() +
                       " 2>&1; echo rc=$?; "
                       "cat /proc/1/root" +
                       marker.string() +
                       " 2>&1; "
                       "ls / ; grep -r host-secret-7c1f /etc /tmp /root 2>/dev/null; true";
  auto st = sh(rootfs.path(), script, cap);
  XBUILD_REQUIRE_OK(st);
  CHECK(st->exit_code == 0);
  CHECK(cap.out_text().find("host-secret-7c1f") == std::string::npos);
  CHECK(cap.out_text().find("rc=1") != std::string::npos);
  // The root listing is the rootfs's, not the host's (the host has /usr, /work …).
  CHECK(cap.out_text().find("work") == std::string::npos);
}

TEST_CASE("a RUN is PID 1 and sees only its own process tree", "[engine][exec][sandbox]") {
  XBUILD_REQUIRE_SANDBOX();
  test::BusyboxRootfs rootfs;
  Captured cap;
  auto st = sh(rootfs.path(),
               "echo self=$$; sleep 5 & ls /proc | grep -E '^[0-9]+$' | sort -n; "
               "kill $! 2>/dev/null; true",
               cap);
  Captured ps;
  XBUILD_REQUIRE_OK(sh(rootfs.path(), "ps -o pid,comm | tail -n +2", ps));
  // The shell, ps and tail: nothing of the host.
  CHECK(ps.out.size() == 3);
  REQUIRE(!ps.out.empty());
  CHECK(ps.out[0].find("1 sh") != std::string::npos);
  XBUILD_REQUIRE_OK(st);
  REQUIRE(!cap.out.empty());
  CHECK(cap.out[0] == "self=1");
  std::vector<std::string> pids(cap.out.begin() + 1, cap.out.end());
  // sh (1), the sleep, ls and grep/sort: a handful of small pids, never the
  // host's hundreds.
  REQUIRE(!pids.empty());
  CHECK(pids.front() == "1");
  CHECK(pids.size() <= 6);
  for (const auto& p : pids)
    CHECK(std::stoi(p) < 20);
}

TEST_CASE("the sandbox hostname is buildkitsandbox and /etc/hosts names it",
          "[engine][exec][sandbox]") {
  XBUILD_REQUIRE_SANDBOX();
  test::BusyboxRootfs rootfs;
  Captured cap;
  auto st =
      sh(rootfs.path(), "hostname; cat /etc/hostname; grep -c buildkitsandbox /etc/hosts", cap);
  XBUILD_REQUIRE_OK(st);
  REQUIRE(cap.out.size() == 3);
  CHECK(cap.out[0] == "buildkitsandbox");
  CHECK(cap.out[1] == "buildkitsandbox");
  CHECK(cap.out[2] == "1");
}

TEST_CASE("generated /etc files and mount points do not end up in the rootfs",
          "[engine][exec][sandbox]") {
  XBUILD_REQUIRE_SANDBOX();
  test::BusyboxRootfs rootfs;
  util::TempDir cache("xbuild-cache");
  ExecSpec spec;
  spec.mounts.push_back(Mount{MountType::bind, cache.path(), "/var/cache/apt", Access::read_write});
  spec.mounts.push_back(Mount{MountType::tmpfs, {}, "/scratch", Access::read_write, 1 << 20});
  REQUIRE(util::write_file_atomic(cache.path() / "token", "s3cret\n", 0400));
  spec.mounts.push_back(
      Mount{MountType::bind, cache.path() / "token", "/run/secrets/token", Access::read_only});
  Captured cap;
  auto st = sh(rootfs.path(),
               "echo cached > /var/cache/apt/x; echo t > /scratch/y; "
               "cat /run/secrets/token; "
               "cat /etc/resolv.conf >/dev/null && echo ok",
               cap, spec);
  XBUILD_REQUIRE_OK(st);
  CHECK(st->exit_code == 0);
  CHECK(cap.out == std::vector<std::string>{"s3cret", "ok"});
  CHECK(util::read_file(cache.path() / "x").value_or("") == "cached\n");
  for (const char* p : {"etc/hosts", "etc/resolv.conf", "etc/hostname", "var", "scratch", "proc",
                        "dev", "sys", "run"})
    CHECK_FALSE(fs::exists(fs::symlink_status(rootfs.path() / p)));
}

TEST_CASE("USER names resolve through the image's passwd and group files",
          "[engine][exec][sandbox]") {
  XBUILD_REQUIRE_SANDBOX();
  test::BusyboxRootfs rootfs;
  SECTION("a name gives its uid, primary gid, supplementary groups and HOME") {
    ExecSpec spec;
    spec.user = "builder";
    Captured cap;
    auto st = sh(rootfs.path(),
                 "id -u; id -g; id -G; echo $HOME; cat /etc/hostname; grep Groups /proc/self/status",
                 cap, spec);
    XBUILD_REQUIRE_OK(st);
    // The kernel's list (setgroups, kept sorted) holds the primary group too, as under BuildKit.
    CHECK(cap.out == std::vector<std::string>{"1000", "1000", "1000 29 44", "/home/builder",
                                              "buildkitsandbox", "Groups:\t29 44 1000 "});
  }
  SECTION("uid:gid numbers need no passwd entry") {
    ExecSpec spec;
    spec.user = "4242:4343";
    Captured cap;
    auto st = sh(rootfs.path(), "id -u; id -g; grep Groups /proc/self/status", cap, spec);
    XBUILD_REQUIRE_OK(st);
    CHECK(cap.out == std::vector<std::string>{"4242", "4343", "Groups:\t4343 "});
  }
  SECTION("an unknown name is an error before anything runs") {
    ExecSpec spec;
    spec.user = "ghost";
    Captured cap;
    auto st = sh(rootfs.path(), "true", cap, spec);
    REQUIRE_FALSE(st);
    CHECK(st.error().message.find("unable to find user ghost") != std::string::npos);
  }
}

TEST_CASE("a non-root RUN has no capabilities and root has only Docker's default set",
          "[engine][exec][sandbox]") {
  XBUILD_REQUIRE_SANDBOX();
  test::BusyboxRootfs rootfs;
  Captured root_cap;
  REQUIRE(sh(rootfs.path(), "grep -E '^(CapEff|CapBnd|NoNewPrivs)' /proc/self/status", root_cap));
  CHECK(root_cap.out == std::vector<std::string>{"CapEff:\t00000000a80425fb",
                                                 "CapBnd:\t00000000a80425fb", "NoNewPrivs:\t1"});
  ExecSpec spec;
  spec.user = "builder";
  Captured user_cap;
  XBUILD_REQUIRE_OK(sh(rootfs.path(), "grep '^CapEff' /proc/self/status", user_cap, spec));
  CHECK(user_cap.out == std::vector<std::string>{"CapEff:\t0000000000000000"});
  // Without CAP_SYS_ADMIN, root inside cannot mount.
  Captured mount_cap;
  auto st = sh(rootfs.path(), "mount -t tmpfs none /tmp", mount_cap);
  XBUILD_REQUIRE_OK(st);
  CHECK(st->exit_code != 0);
}

TEST_CASE("exit codes, env and the working directory reach the caller", "[engine][exec][sandbox]") {
  XBUILD_REQUIRE_SANDBOX();
  test::BusyboxRootfs rootfs;
  ExecSpec spec;
  spec.env = {"GREETING=hello world", "PATH=/bin"};
  spec.cwd = "/work/dir";
  Captured cap;
  auto st = sh(rootfs.path(), "echo \"$GREETING\"; pwd; echo to-stderr >&2; exit 42", cap, spec);
  XBUILD_REQUIRE_OK(st);
  CHECK(st->exit_code == 42);
  CHECK(cap.out == std::vector<std::string>{"hello world", "/work/dir"});
  CHECK(cap.err == std::vector<std::string>{"to-stderr"});
  CHECK(fs::is_directory(rootfs.path() / "work/dir"));
}

TEST_CASE("a failing RUN reports the command, the exit code and the last lines",
          "[engine][exec][sandbox]") {
  XBUILD_REQUIRE_SANDBOX();
  test::BusyboxRootfs rootfs;
  ExecSpec spec;
  spec.rootfs = rootfs.path();
  spec.argv = {"/bin/sh", "-c", "for i in $(seq 1 30); do echo line$i; done; exit 3"};
  util::CancelSource cancel;
  auto r = run(spec, nullptr, cancel);
  REQUIRE_FALSE(r);
  const auto& msg = r.error().message;
  CHECK(msg.find("process \"/bin/sh -c for i in") != std::string::npos);
  CHECK(msg.find("did not complete successfully: exit code: 3") != std::string::npos);
  CHECK(msg.find("line30") != std::string::npos);
  CHECK(msg.find("line21") != std::string::npos);
  CHECK(msg.find("line20\n") == std::string::npos);
  CHECK(r.error().exit_code == 3);
}

TEST_CASE("a command missing from PATH is a clear error", "[engine][exec][sandbox]") {
  XBUILD_REQUIRE_SANDBOX();
  test::BusyboxRootfs rootfs;
  ExecSpec spec;
  spec.rootfs = rootfs.path();
  spec.argv = {"no-such-tool", "--flag"};
  util::CancelSource cancel;
  auto st = execute(spec, nullptr, cancel);
  REQUIRE_FALSE(st);
  CHECK(st.error().message.find("exec: \"no-such-tool\": executable file not found in $PATH") !=
        std::string::npos);
}

TEST_CASE("network none has only the loopback interface, up", "[engine][exec][sandbox]") {
  XBUILD_REQUIRE_SANDBOX();
  test::BusyboxRootfs rootfs;
  ExecSpec spec;
  spec.network = NetworkMode::none;
  Captured cap;
  auto st = sh(rootfs.path(),
               "ls /sys/class/net; cat /sys/class/net/lo/operstate "
               "/sys/class/net/lo/flags",
               cap, spec);
  XBUILD_REQUIRE_OK(st);
  REQUIRE(cap.out.size() == 3);
  CHECK(cap.out[0] == "lo");
  // IFF_UP (0x1) is set.
  CHECK((std::stoul(cap.out[2], nullptr, 16) & 1u) == 1u);
  Captured host;
  XBUILD_REQUIRE_OK(sh(rootfs.path(), "ls /sys/class/net", host));
  INFO("the host network is shared by default");
  std::vector<std::string> host_ifaces;
  for (const auto& e : fs::directory_iterator("/sys/class/net"))
    host_ifaces.push_back(e.path().filename().string());
  std::sort(host_ifaces.begin(), host_ifaces.end());
  std::sort(host.out.begin(), host.out.end());
  CHECK(host.out == host_ifaces);
}

TEST_CASE("a read-only bind mount cannot be written", "[engine][exec][sandbox]") {
  XBUILD_REQUIRE_SANDBOX();
  test::BusyboxRootfs rootfs;
  util::TempDir src("xbuild-src");
  REQUIRE(util::write_file_atomic(src.path() / "f", "data\n"));
  ExecSpec spec;
  spec.mounts.push_back(Mount{MountType::bind, src.path(), "/src", Access::read_only});
  Captured cap;
  auto st = sh(rootfs.path(), "cat /src/f; echo x > /src/f || echo denied", cap, spec);
  XBUILD_REQUIRE_OK(st);
  CHECK(cap.out == std::vector<std::string>{"data", "denied"});
  CHECK(util::read_file(src.path() / "f").value_or("") == "data\n");
}

TEST_CASE("a symlink in the image cannot redirect a mount onto the host",
          "[engine][exec][sandbox]") {
  XBUILD_REQUIRE_SANDBOX();
  test::BusyboxRootfs rootfs;
  util::TempDir victim("xbuild-victim");
  // /etc -> <host dir>: if resolved on the host, /etc/hosts would be mounted
  // (and its stub created) in the victim directory.
  fs::rename(rootfs.path() / "etc", rootfs.path() / "etc.real");
  fs::create_symlink(victim.path(), rootfs.path() / "etc");
  // The same path inside the rootfs, where the link must resolve.
  auto inside = rootfs.path() / victim.path().relative_path();
  fs::create_directories(inside);
  Captured cap;
  auto st = sh(rootfs.path(), "cat /etc/hostname", cap);
  XBUILD_REQUIRE_OK(st);
  CHECK(cap.out == std::vector<std::string>{"buildkitsandbox"});
  CHECK(fs::is_empty(victim.path()));
  CHECK(fs::is_empty(inside)); // the stubs were created inside, then removed
}

TEST_CASE("cancelling a RUN kills its whole process tree promptly", "[engine][exec][sandbox]") {
  XBUILD_REQUIRE_SANDBOX();
  test::BusyboxRootfs rootfs;
  ExecSpec spec;
  spec.rootfs = rootfs.path();
  spec.argv = {"/bin/sh", "-c", "sleep 4321 & sleep 4321 & echo started; wait"};
  util::CancelSource cancel;
  auto start = std::chrono::steady_clock::now();
  auto st = execute(
      spec,
      [&](Stream, std::string_view line) {
        if (line == "started")
          cancel.request("test cancelled");
      },
      cancel);
  auto took = std::chrono::steady_clock::now() - start;
  REQUIRE_FALSE(st);
  CHECK(st.error().exit_code == 130);
  CHECK(st.error().message.find("cancelled") != std::string::npos);
  CHECK(took < std::chrono::seconds(10));
  // No "sleep 4321" survived anywhere on the host.
  int survivors = 0;
  for (const auto& e : fs::directory_iterator("/proc")) {
    auto cmdline = util::read_file(e.path() / "cmdline");
    if (cmdline && *cmdline == std::string("sleep\0"
                                           "4321\0",
                                           11))
      ++survivors;
  }
  CHECK(survivors == 0);
}

// Driven by tests/e2e/test_sandbox_busybox.sh with the harness's Debian
// busybox root filesystems (amd64 and, through QEMU, arm64); hidden from the
// normal unit run because it needs those fixtures.
TEST_CASE("a fixture rootfs runs isolated with the expected machine", "[.][e2e-sandbox]") {
  XBUILD_REQUIRE_SANDBOX();
  const char* rootfs = std::getenv("XBUILD_TEST_ROOTFS");
  const char* machine = std::getenv("XBUILD_TEST_EXPECT_MACHINE");
  const char* marker = std::getenv("XBUILD_TEST_MARKER");
  REQUIRE(rootfs);
  REQUIRE(machine);
  REQUIRE(marker);
  Captured cap;
  auto st = sh(rootfs,
               std::string("uname -m; echo pid=$$; hostname; ls /proc | grep -cE '^[0-9]+$'; "
                           "cat ") +
                   marker + " 2>/dev/null || echo marker-unreadable",
               cap);
  XBUILD_REQUIRE_OK(st);
  CHECK(st->exit_code == 0);
  REQUIRE(cap.out.size() == 5);
  CHECK(cap.out[0] == machine);
  CHECK(cap.out[1] == "pid=1");
  CHECK(cap.out[2] == "buildkitsandbox");
  CHECK(std::stoi(cap.out[3]) <= 4);
  CHECK(cap.out[4] == "marker-unreadable");
}

namespace {
size_t open_fd_count() {
  size_t n = 0;
  for ([[maybe_unused]] const auto& e : fs::directory_iterator("/proc/self/fd"))
    ++n;
  return n;
}
} // namespace

TEST_CASE("parallel runs from several threads stay separate and leak no descriptors",
          "[engine][exec][sandbox]") {
  XBUILD_REQUIRE_SANDBOX();
  test::BusyboxRootfs rootfs;
  size_t fds_before = open_fd_count();
  constexpr int k_threads = 6;
  std::vector<std::thread> threads;
  std::vector<std::vector<std::string>> outputs(k_threads);
  std::vector<int> codes(k_threads, -1);
  for (int i = 0; i < k_threads; ++i) {
    threads.emplace_back([&, i] {
      ExecSpec spec;
      spec.rootfs = rootfs.path();
      spec.argv = {"/bin/sh", "-c",
                   "sleep 0.2; echo run-" + std::to_string(i) + " pid=$$; exit " +
                       std::to_string(i)};
      util::CancelSource cancel;
      auto st = execute(
          spec, [&](Stream, std::string_view line) { outputs[i].emplace_back(line); }, cancel);
      codes[i] = st ? st->exit_code : -100;
    });
  }
  for (auto& t : threads)
    t.join();
  for (int i = 0; i < k_threads; ++i) {
    CHECK(codes[i] == i);
    CHECK(outputs[i] == std::vector<std::string>{"run-" + std::to_string(i) + " pid=1"});
  }
  CHECK(open_fd_count() == fds_before);
}

TEST_CASE("invalid specs are rejected before anything runs", "[engine][exec][sandbox]") {
  XBUILD_REQUIRE_SANDBOX();
  test::BusyboxRootfs rootfs;
  util::CancelSource cancel;
  auto attempt = [&](auto edit) {
    ExecSpec spec;
    spec.rootfs = rootfs.path();
    spec.argv = {"/bin/true"};
    edit(spec);
    auto st = execute(spec, nullptr, cancel);
    return st ? std::string("ran") : st.error().message;
  };
  CHECK(attempt([](ExecSpec& s) { s.rootfs = "/"; }).find("refusing") != std::string::npos);
  CHECK(attempt([](ExecSpec& s) { s.rootfs = "/no/such/dir"; }).find("not a directory") !=
        std::string::npos);
  CHECK(attempt([](ExecSpec& s) { s.argv.clear(); }) == "RUN has no command");
  CHECK(attempt([](ExecSpec& s) { s.cwd = "rel"; }).find("not an absolute path") !=
        std::string::npos);
  CHECK(attempt([](ExecSpec& s) {
          s.mounts.push_back(Mount{MountType::tmpfs, {}, "/", Access::read_write});
        }).find("other than /") != std::string::npos);
  CHECK(attempt([](ExecSpec& s) {
          s.mounts.push_back(Mount{MountType::bind, "/no/such/src", "/x", Access::read_only});
        }).find("does not exist") != std::string::npos);
  CHECK(attempt([](ExecSpec&) {}) == "ran");
}

TEST_CASE("the sandbox executor runs through the Executor seam", "[engine][exec][sandbox]") {
  XBUILD_REQUIRE_SANDBOX();
  test::BusyboxRootfs rootfs;
  auto executor = make_sandbox_executor();
  ExecSpec spec;
  spec.rootfs = rootfs.path();
  spec.argv = {"sh", "-c", "exit 7"};
  util::CancelSource cancel;
  auto st = executor->execute(spec, nullptr, cancel);
  XBUILD_REQUIRE_OK(st);
  CHECK(st->exit_code == 7);
}

TEST_CASE("a dangling /etc/resolv.conf symlink still gets the generated file",
          "[engine][exec][sandbox]") {
  XBUILD_REQUIRE_SANDBOX();
  test::BusyboxRootfs rootfs;
  // As in systemd-based images.
  fs::create_symlink("../run/systemd/resolve/stub-resolv.conf", rootfs.path() / "etc/resolv.conf");
  Captured cap;
  auto st = sh(rootfs.path(), "grep -c nameserver /etc/resolv.conf", cap);
  XBUILD_REQUIRE_OK(st);
  CHECK(st->exit_code == 0);
  REQUIRE(cap.out.size() == 1);
  CHECK(std::stoi(cap.out[0]) >= 1);
  // The link is untouched and the created target directories are gone.
  CHECK(fs::is_symlink(rootfs.path() / "etc/resolv.conf"));
  CHECK_FALSE(fs::exists(rootfs.path() / "run"));
}
