// The parent side of the RUN sandbox: validate the spec, compute everything
// the child needs (sandbox_child.hpp explains why the child must not
// allocate), clone() into new namespaces, stream output line by line while
// honouring cancellation, reap, and remove the mount-point stubs the child had
// to create so that they do not show up in the layer.
//
// Cancellation kills PID 1 of the sandbox with SIGKILL; the kernel then kills
// every other process of that PID namespace, so a cancelled RUN never leaves
// a process behind, whatever it forked.

#include "engine/exec/sandbox.hpp"

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <linux/openat2.h>
#include <poll.h>
#include <sched.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "engine/exec/etc_files.hpp"
#include "engine/exec/executor.hpp"
#include "engine/exec/output.hpp"
#include "engine/exec/sandbox_child.hpp"
#include "engine/exec/user.hpp"
#include "util/fs.hpp"
#include "util/strings.hpp"

namespace xbuild::engine::exec {
namespace fs = std::filesystem;
namespace {

constexpr const char* k_default_path =
    "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

// A file descriptor closed on scope exit.
class Fd {
public:
  Fd() = default;
  explicit Fd(int fd) : m_fd(fd) {}
  ~Fd() { reset(); }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  Fd(Fd&& o) noexcept : m_fd(o.m_fd) { o.m_fd = -1; }
  int get() const { return m_fd; }
  void reset() {
    if (m_fd >= 0)
      ::close(m_fd);
    m_fd = -1;
  }

private:
  int m_fd = -1;
};

struct Pipe {
  Fd read, write;
};

Result<Pipe> make_pipe() {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0)
    return fail(std::string("cannot create a pipe: ") + std::strerror(errno));
  return Pipe{Fd(fds[0]), Fd(fds[1])};
}

// "/a", "/a/b" for "/a/b/c": the directories `mkdir -p` must create.
std::vector<std::string> parent_prefixes(const std::string& path, bool include_self) {
  std::vector<std::string> out;
  std::string cur;
  auto parts = util::split(path, '/');
  for (size_t i = 0; i < parts.size(); ++i) {
    if (parts[i].empty())
      continue;
    cur += "/" + parts[i];
    if (i + 1 < parts.size() || include_self)
      out.push_back(cur);
  }
  return out;
}

std::string normalize_abs(const std::string& path) {
  return fs::path(path).lexically_normal().string();
}

Result<void> validate(const ExecSpec& spec) {
  if (::geteuid() != 0)
    return fail("the RUN sandbox needs root (it creates mount and PID namespaces): run docker "
                "xbuild as root, e.g. with sudo; rootless mode is not supported yet");
  if (!fs::is_directory(spec.rootfs))
    return fail("root filesystem " + spec.rootfs.string() + " is not a directory");
  std::error_code ec;
  if (fs::canonical(spec.rootfs, ec) == "/")
    return fail("refusing to run a RUN step with the host's / as its root filesystem");
  if (spec.argv.empty() || spec.argv[0].empty())
    return fail("RUN has no command");
  if (spec.cwd.empty() || spec.cwd[0] != '/')
    return fail("working directory \"" + spec.cwd + "\" is not an absolute path");
  if (spec.hostname.empty() || spec.hostname.size() > 64)
    return fail("invalid sandbox hostname \"" + spec.hostname + "\"");
  for (const auto& m : spec.mounts) {
    if (m.target.empty() || m.target[0] != '/' || normalize_abs(m.target) == "/")
      return fail("mount target \"" + m.target + "\" must be an absolute path other than /");
    if (m.type == MountType::bind && !fs::exists(m.source, ec))
      return fail("mount source " + m.source.string() + " for " + m.target + " does not exist");
  }
  return {};
}

std::vector<std::string> with_defaults(std::vector<std::string> env, const ExecUser& user) {
  auto has = [&](std::string_view key) {
    for (const auto& e : env)
      if (util::starts_with(e, std::string(key) + "="))
        return true;
    return false;
  };
  if (!has("PATH"))
    env.push_back(std::string("PATH=") + k_default_path);
  if (!has("HOME"))
    env.push_back("HOME=" + user.home);
  return env;
}

std::vector<std::string> exec_candidates(const std::string& argv0,
                                         const std::vector<std::string>& env) {
  if (argv0.find('/') != std::string::npos)
    return {argv0};
  std::string path = k_default_path;
  for (const auto& e : env)
    if (util::starts_with(e, "PATH="))
      path = e.substr(5);
  std::vector<std::string> out;
  for (const auto& dir : util::split(path, ':'))
    out.push_back((dir.empty() ? std::string(".") : dir) + "/" + argv0);
  return out;
}

// Whether `path` (absolute, inside the sandbox) exists in `rootfs`, resolving
// symlinks within the rootfs only.
bool exists_in_root(int root_fd, const std::string& path) {
  open_how how{};
  how.flags = O_PATH | O_NOFOLLOW | O_CLOEXEC;
  how.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS;
  std::string rel = path.substr(1);
  long fd = ::syscall(SYS_openat2, root_fd, rel.c_str(), &how, sizeof how);
  if (fd < 0)
    return false;
  ::close(static_cast<int>(fd));
  return true;
}

// Removes an empty file or directory the sandbox created as a mount point.
void remove_stub(int root_fd, const std::string& path) {
  fs::path p(path);
  open_how how{};
  how.flags = O_PATH | O_DIRECTORY | O_CLOEXEC;
  how.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS;
  std::string parent = p.parent_path().string().substr(1);
  if (parent.empty())
    parent = ".";
  long dfd = ::syscall(SYS_openat2, root_fd, parent.c_str(), &how, sizeof how);
  if (dfd < 0)
    return;
  std::string name = p.filename().string();
  struct stat st {};
  if (::fstatat(static_cast<int>(dfd), name.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0) {
    if (S_ISDIR(st.st_mode))
      ::unlinkat(static_cast<int>(dfd), name.c_str(), AT_REMOVEDIR); // fails unless empty
    else if (S_ISREG(st.st_mode) && st.st_size == 0)
      ::unlinkat(static_cast<int>(dfd), name.c_str(), 0);
  }
  ::close(static_cast<int>(dfd));
}

// A directory that existed before the run and gets mount-point stubs: its
// times are put back after the stubs are removed, so that, for example, an
// image without /etc/hosts does not get an /etc with a new mtime in its layer.
struct StubParent {
  std::string path;
  timespec atime{}, mtime{};
};

long open_in_root(int root_fd, const std::string& path, int flags) {
  open_how how{};
  how.flags = static_cast<unsigned long long>(flags) | O_CLOEXEC;
  how.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS;
  std::string rel = path == "/" ? "." : path.substr(1);
  return ::syscall(SYS_openat2, root_fd, rel.c_str(), &how, sizeof how);
}

bool operator<=(const timespec& a, const timespec& b) {
  return a.tv_sec < b.tv_sec || (a.tv_sec == b.tv_sec && a.tv_nsec <= b.tv_nsec);
}

// Everything prepared for one run: the child plan and the storage it points
// into, the generated /etc files, and the stubs to clean up afterwards.
struct Prepared {
  util::TempDir etc_dir{"xbuild-etc"};
  std::vector<std::string> env;
  std::vector<std::string> argv;
  detail::ChildPlan plan;
  std::vector<std::string> stubs; // created by the sandbox, parents first
  std::vector<StubParent> stub_parents;
};

Result<void> generate_etc_files(const ExecSpec& spec, Prepared& out) {
  auto hosts = TRY(make_hosts_file(spec.hostname, spec.extra_hosts));
  std::string host_resolv = util::read_file("/etc/resolv.conf").value_or("");
  auto dir = out.etc_dir.path();
  TRY_VOID(util::write_file_atomic(dir / "hosts", hosts));
  TRY_VOID(
      util::write_file_atomic(dir / "resolv.conf", make_resolv_conf(host_resolv, spec.network)));
  TRY_VOID(util::write_file_atomic(dir / "hostname", spec.hostname + "\n"));
  for (const char* name : {"hosts", "resolv.conf", "hostname"}) {
    detail::ChildMount m;
    m.source = (dir / name).string();
    m.target = std::string("/etc/") + name;
    m.parents = {"/etc"};
    m.target_is_file = true;
    m.read_only = true;
    out.plan.mounts.push_back(std::move(m));
  }
  return {};
}

void add_caller_mounts(const ExecSpec& spec, Prepared& out) {
  for (const auto& m : spec.mounts) {
    detail::ChildMount cm;
    cm.target = normalize_abs(m.target);
    cm.parents = parent_prefixes(cm.target, false);
    cm.read_only = m.access == Access::read_only;
    if (m.type == MountType::tmpfs) {
      cm.kind = detail::ChildMount::Kind::tmpfs;
      cm.tmpfs_options = "mode=1777";
      if (m.tmpfs_size > 0)
        cm.tmpfs_options += ",size=" + std::to_string(m.tmpfs_size);
    } else {
      cm.source = m.source.string();
      cm.target_is_file = !fs::is_directory(m.source);
    }
    out.plan.mounts.push_back(std::move(cm));
  }
}

// Follows symlinks in the last component of `path` (absolute, inside the
// rootfs) the way the kernel will after pivot_root, so that a dangling link
// such as /etc/resolv.conf -> ../run/systemd/resolve/stub-resolv.conf gets
// its target created (and removed again) instead of failing the run. Only
// picks a mount point: the child still resolves it inside the new root.
std::string resolve_final_symlinks(int root_fd, std::string path) {
  for (int hops = 0; hops < 40; ++hops) {
    Fd link(static_cast<int>(open_in_root(root_fd, path, O_PATH | O_NOFOLLOW)));
    struct stat st {};
    if (link.get() < 0 || ::fstat(link.get(), &st) != 0 || !S_ISLNK(st.st_mode))
      return path;
    char buf[4096];
    ssize_t n = ::readlinkat(link.get(), "", buf, sizeof buf - 1);
    if (n <= 0)
      return path;
    fs::path target(std::string(buf, static_cast<size_t>(n)));
    fs::path next = target.is_absolute() ? target : fs::path(path).parent_path() / target;
    path = next.lexically_normal().string(); // "/.." stays "/", as in the root
    if (path.size() > 1 && path.back() == '/')
      path.pop_back();
  }
  return path;
}

void resolve_mount_targets(const fs::path& rootfs, Prepared& out) {
  Fd root(::open(rootfs.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  for (auto& m : out.plan.mounts) {
    m.target = resolve_final_symlinks(root.get(), m.target);
    m.parents = parent_prefixes(m.target, false);
  }
}

// Mount points that do not exist in the image yet; the child creates them and
// we remove them after the run, as BuildKit removes its mount stubs.
void record_stubs(const fs::path& rootfs, Prepared& out) {
  std::vector<std::string> candidates = {"/proc", "/dev", "/sys"};
  for (const auto& m : out.plan.mounts) {
    for (const auto& p : m.parents)
      candidates.push_back(p);
    candidates.push_back(m.target);
  }
  Fd root(::open(rootfs.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  for (const auto& c : candidates) {
    bool seen = std::find(out.stubs.begin(), out.stubs.end(), c) != out.stubs.end();
    if (seen || exists_in_root(root.get(), c))
      continue;
    out.stubs.push_back(c);
    std::string parent = fs::path(c).parent_path().string();
    bool parent_is_stub = std::find(out.stubs.begin(), out.stubs.end(), parent) != out.stubs.end();
    bool known = std::any_of(out.stub_parents.begin(), out.stub_parents.end(),
                             [&](const StubParent& p) { return p.path == parent; });
    if (parent_is_stub || known)
      continue;
    Fd dir(static_cast<int>(open_in_root(root.get(), parent, O_PATH | O_DIRECTORY)));
    struct stat st {};
    if (dir.get() >= 0 && ::fstat(dir.get(), &st) == 0)
      out.stub_parents.push_back({parent, st.st_atim, st.st_mtim});
  }
}

// Removes the stubs, then restores the times of the directories holding
// them — unless the command itself changed such a directory after the stubs
// were made (its mtime is newer than every stub in it).
void cleanup_stubs(const fs::path& rootfs, const Prepared& prep) {
  Fd root(::open(rootfs.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  struct Restore {
    Fd dir;
    timespec times[2];
  };
  std::vector<Restore> restores;
  for (const auto& sp : prep.stub_parents) {
    Fd dir(static_cast<int>(open_in_root(root.get(), sp.path, O_RDONLY | O_DIRECTORY)));
    struct stat now {};
    if (dir.get() < 0 || ::fstat(dir.get(), &now) != 0)
      continue;
    timespec newest_stub{0, 0};
    for (const auto& stub : prep.stubs) {
      fs::path p(stub);
      struct stat st {};
      if (p.parent_path() == sp.path &&
          ::fstatat(dir.get(), p.filename().c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0 &&
          newest_stub <= st.st_mtim)
        newest_stub = st.st_mtim;
    }
    bool only_stubs_changed_it = now.st_mtim <= newest_stub;
    restores.push_back(
        {std::move(dir), {sp.atime, only_stubs_changed_it ? sp.mtime : now.st_mtim}});
  }
  for (auto it = prep.stubs.rbegin(); it != prep.stubs.rend(); ++it)
    remove_stub(root.get(), *it);
  for (auto& r : restores)
    ::futimens(r.dir.get(), r.times);
}

Result<void> prepare(const ExecSpec& spec, Prepared& out) {
  auto user = TRY(resolve_user_in_rootfs(spec.user, spec.rootfs));
  out.env = with_defaults(spec.env, user);
  out.argv = spec.argv;
  auto& plan = out.plan;
  plan.rootfs = fs::absolute(spec.rootfs).lexically_normal().string();
  plan.hostname = spec.hostname;
  plan.network_none = spec.network == NetworkMode::none;
  plan.shm_options = "mode=1777,size=" + std::to_string(spec.shm_size);
  TRY_VOID(generate_etc_files(spec, out));
  add_caller_mounts(spec, out);
  resolve_mount_targets(spec.rootfs, out);
  plan.cwd = normalize_abs(spec.cwd);
  plan.cwd_parents = parent_prefixes(plan.cwd, true);
  plan.exec_candidates = exec_candidates(spec.argv[0], out.env);
  for (auto& a : out.argv)
    plan.argv.push_back(a.data());
  plan.argv.push_back(nullptr);
  for (auto& e : out.env)
    plan.envp.push_back(e.data());
  plan.envp.push_back(nullptr);
  plan.uid = user.uid;
  plan.gid = user.gid;
  plan.groups.assign(user.groups.begin(), user.groups.end());
  plan.capabilities = docker_default_capabilities();
  plan.last_cap = kernel_last_capability();
  record_stubs(spec.rootfs, out);
  return {};
}

// Reads the child's three pipes until all are closed, delivering lines and
// killing the sandbox when cancellation is requested.
struct PumpResult {
  std::string report;
  bool cancelled = false;
  std::vector<std::string> tail;
};

Result<PumpResult> pump(pid_t pid, int out_fd, int err_fd, int report_fd, const OutputSink& sink,
                        const util::CancelSource& cancel) {
  PumpResult res;
  LineTail tail(k_tail_lines);
  auto deliver = [&](Stream s) {
    return [&, s](std::string_view line) {
      tail.push(line);
      if (sink)
        sink(s, line);
    };
  };
  LineSplitter out_lines(deliver(Stream::out)), err_lines(deliver(Stream::err));
  pollfd fds[3] = {{out_fd, POLLIN, 0}, {err_fd, POLLIN, 0}, {report_fd, POLLIN, 0}};
  int open_count = 3;
  char buf[65536];
  while (open_count > 0) {
    if (cancel.requested() && !res.cancelled) {
      ::kill(pid, SIGKILL);
      res.cancelled = true;
    }
    int n = ::poll(fds, 3, 100);
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0)
      return fail(std::string("cannot read RUN output: ") + std::strerror(errno));
    for (int i = 0; i < 3; ++i) {
      if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP | POLLERR)))
        continue;
      ssize_t r = ::read(fds[i].fd, buf, sizeof buf);
      if (r < 0 && (errno == EINTR || errno == EAGAIN))
        continue;
      if (r <= 0) {
        fds[i].fd = -1;
        --open_count;
        continue;
      }
      std::string_view chunk(buf, static_cast<size_t>(r));
      if (i == 0)
        out_lines.feed(chunk);
      else if (i == 1)
        err_lines.feed(chunk);
      else
        res.report.append(chunk);
    }
  }
  out_lines.finish();
  err_lines.finish();
  res.tail = tail.lines();
  return res;
}

int wait_for(pid_t pid, int& signal_out) {
  int status = 0;
  while (::waitpid(pid, &status, __WALL) < 0 && errno == EINTR) {
  }
  if (WIFSIGNALED(status)) {
    signal_out = WTERMSIG(status);
    return 128 + signal_out;
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : 255;
}

std::string command_string(const std::vector<std::string>& argv) {
  std::string out;
  for (const auto& a : argv)
    out += (out.empty() ? "" : " ") + a;
  return out;
}

Error setup_error(const std::string& report, const std::vector<std::string>& argv) {
  detail::ChildReport r;
  std::memcpy(&r, report.data(), std::min(report.size(), sizeof r));
  r.step[sizeof r.step - 1] = '\0';
  std::string step = r.step;
  if (util::starts_with(step, "exec:") && r.err == ENOENT)
    return Error{"exec: \"" + argv[0] + "\": executable file not found in $PATH (RUN " +
                     command_string(argv) + ")",
                 127};
  return Error{"cannot start RUN " + command_string(argv) + " in the sandbox: " + step + ": " +
                   std::strerror(r.err),
               127};
}

} // namespace

Result<ExitStatus> execute(const ExecSpec& spec, const OutputSink& sink,
                           const util::CancelSource& cancel) {
  TRY_VOID(validate(spec));
  Prepared prep;
  TRY_VOID(prepare(spec, prep));
  auto out = TRY(make_pipe());
  auto err = TRY(make_pipe());
  auto report = TRY(make_pipe());
  Fd devnull(::open("/dev/null", O_RDONLY | O_CLOEXEC));
  auto& plan = prep.plan;
  plan.stdin_fd = devnull.get();
  plan.stdout_fd = out.write.get();
  plan.stderr_fd = err.write.get();
  plan.report_fd = report.write.get();

  int flags = CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWIPC | CLONE_NEWUTS | CLONE_NEWCGROUP | SIGCHLD;
  if (spec.network == NetworkMode::none)
    flags |= CLONE_NEWNET;
  // The raw syscall with no new stack behaves like fork(): the child gets a
  // copy of this stack and returns here. (glibc's clone() wants a separate
  // stack, which sanitizers take for stack corruption.) The argument order
  // after `flags` differs between architectures, but all are zero here.
  pid_t pid = static_cast<pid_t>(
      ::syscall(SYS_clone, static_cast<unsigned long>(flags), nullptr, nullptr, nullptr, nullptr));
  if (pid == 0)
    ::_exit(detail::child_main(&plan));
  if (pid < 0)
    return fail(std::string("cannot create the RUN sandbox (clone): ") + std::strerror(errno));
  out.write.reset();
  err.write.reset();
  report.write.reset();

  auto pumped = pump(pid, out.read.get(), err.read.get(), report.read.get(), sink, cancel);
  if (!pumped)
    ::kill(pid, SIGKILL);
  ExitStatus status;
  status.exit_code = wait_for(pid, status.signal);
  cleanup_stubs(spec.rootfs, prep);
  if (!pumped)
    return tl::unexpected(pumped.error());
  if (pumped->cancelled)
    return fail("RUN " + command_string(spec.argv) + " cancelled: " + cancel.reason(), 130);
  if (pumped->report.size() >= sizeof(detail::ChildReport))
    return tl::unexpected(setup_error(pumped->report, spec.argv));
  status.last_lines = std::move(pumped->tail);
  return status;
}

std::string describe_failure(const std::vector<std::string>& argv, const ExitStatus& status) {
  std::string quoted = "\"" + command_string(argv) + "\"";
  std::string msg = "process " + quoted + " did not complete successfully: exit code: " +
                    std::to_string(status.exit_code);
  if (status.signal != 0)
    msg += " (killed by signal " + std::to_string(status.signal) + ")";
  if (!status.last_lines.empty()) {
    msg += "\nlast output lines:";
    for (const auto& line : status.last_lines)
      msg += "\n  " + line;
  }
  return msg;
}

Result<void> run(const ExecSpec& spec, const OutputSink& sink, const util::CancelSource& cancel) {
  auto status = TRY(execute(spec, sink, cancel));
  if (status.exit_code != 0)
    return fail(describe_failure(spec.argv, status), status.exit_code);
  return {};
}

} // namespace xbuild::engine::exec

namespace xbuild::engine::exec {
namespace {
class SandboxExecutor final : public Executor {
public:
  Result<ExitStatus> execute(const ExecSpec& spec, const OutputSink& sink,
                             const util::CancelSource& cancel) override {
    return exec::execute(spec, sink, cancel);
  }
};
} // namespace

std::unique_ptr<Executor> make_sandbox_executor() { return std::make_unique<SandboxExecutor>(); }

} // namespace xbuild::engine::exec
