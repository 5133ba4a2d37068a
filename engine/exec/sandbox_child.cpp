// The sandbox child: from clone() to execve().
//
// The child starts in fresh mount, PID, IPC, UTS and cgroup namespaces (and a
// fresh network namespace for `--network=none`); it is PID 1 of its PID
// namespace. It then builds the container's view of the world in this order:
//
//  1. make every mount private, so nothing below propagates to the host;
//  2. clone the bind-mount sources with open_tree() while host paths are
//     still reachable (the clones are detached mount trees held by fds);
//  3. bind the rootfs onto itself and pivot_root into it, then detach the old
//     root: from here on, no host path is reachable by name;
//  4. mount /proc (a new instance, for the new PID namespace), a tmpfs /dev
//     with the usual device nodes, /dev/pts, /dev/shm, /dev/mqueue and a
//     read-only /sys; mask the /proc files Docker masks;
//  5. attach the cloned trees at their targets with move_mount(): targets
//     are resolved inside the new root, so an image symlink such as
//     /etc/hosts -> /host/etc cannot redirect a mount onto the host;
//  6. hostname, loopback up (network none), working directory;
//  7. drop to Docker's capability set (bounding set too), no_new_privs,
//     then groups, gid and uid; mark inherited fds close-on-exec; execve.
//
// Any failing step writes a ChildReport to the report pipe and exits 127.
// See sandbox_child.hpp for why nothing here allocates.

#include "engine/exec/sandbox_child.hpp"

#include <cerrno>
#include <csignal>
#include <fcntl.h>
#include <grp.h>
#include <linux/close_range.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

namespace xbuild::engine::exec::detail {
namespace {

[[noreturn]] void die(const ChildPlan& p, int err, const char* what, const char* path = nullptr) {
  ChildReport r;
  r.err = err;
  size_t n = 0;
  for (const char* s : {what, path ? ": " : nullptr, path}) {
    for (; s && *s && n + 1 < sizeof r.step; ++s)
      r.step[n++] = *s;
  }
  r.step[n] = '\0';
  [[maybe_unused]] auto w = ::write(p.report_fd, &r, sizeof r);
  ::_exit(127);
}

void check(const ChildPlan& p, int rc, const char* what, const char* path = nullptr) {
  if (rc < 0)
    die(p, errno, what, path);
}

void mkdir_ok_if_exists(const ChildPlan& p, const char* path, mode_t mode) {
  if (::mkdir(path, mode) != 0 && errno != EEXIST)
    die(p, errno, "mkdir", path);
}

void mkdir_all(const ChildPlan& p, const std::vector<std::string>& prefixes) {
  for (const auto& dir : prefixes)
    mkdir_ok_if_exists(p, dir.c_str(), 0755);
}

void set_read_only(const ChildPlan& p, const char* path) {
  mount_attr attr{};
  attr.attr_set = MOUNT_ATTR_RDONLY;
  check(p, ::mount_setattr(AT_FDCWD, path, AT_RECURSIVE, &attr, sizeof attr),
        "make mount read-only", path);
}

void make_device(const ChildPlan& p, const char* path, unsigned major_no, unsigned minor_no) {
  if (::mknod(path, S_IFCHR | 0666, makedev(major_no, minor_no)) != 0 && errno != EEXIST)
    die(p, errno, "mknod", path);
}

void setup_dev(const ChildPlan& p) {
  mkdir_ok_if_exists(p, "/dev", 0755);
  check(p, ::mount("tmpfs", "/dev", "tmpfs", MS_NOSUID | MS_STRICTATIME, "mode=755,size=65536k"),
        "mount tmpfs", "/dev");
  make_device(p, "/dev/null", 1, 3);
  make_device(p, "/dev/zero", 1, 5);
  make_device(p, "/dev/full", 1, 7);
  make_device(p, "/dev/random", 1, 8);
  make_device(p, "/dev/urandom", 1, 9);
  make_device(p, "/dev/tty", 5, 0);
  static const char* const links[][2] = {{"/proc/self/fd", "/dev/fd"},
                                         {"/proc/self/fd/0", "/dev/stdin"},
                                         {"/proc/self/fd/1", "/dev/stdout"},
                                         {"/proc/self/fd/2", "/dev/stderr"},
                                         {"pts/ptmx", "/dev/ptmx"}};
  for (const auto& l : links)
    check(p, ::symlink(l[0], l[1]), "symlink", l[1]);
  mkdir_ok_if_exists(p, "/dev/pts", 0755);
  check(p,
        ::mount("devpts", "/dev/pts", "devpts", MS_NOSUID | MS_NOEXEC,
                "newinstance,ptmxmode=0666,mode=0620,gid=5"),
        "mount devpts", "/dev/pts");
  mkdir_ok_if_exists(p, "/dev/shm", 01777);
  check(
      p,
      ::mount("shm", "/dev/shm", "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, p.shm_options.c_str()),
      "mount tmpfs", "/dev/shm");
  // mqueue needs the new IPC namespace we have; it is optional in BuildKit's
  // spec too, so a kernel without it is not an error.
  if (::mkdir("/dev/mqueue", 0755) == 0 || errno == EEXIST)
    ::mount("mqueue", "/dev/mqueue", "mqueue", MS_NOSUID | MS_NODEV | MS_NOEXEC, nullptr);
}

// Docker's masked and read-only paths: kernel interfaces a build has no
// business reading or writing even as (namespaced) root.
void mask_kernel_files(const ChildPlan& p) {
  static const char* const masked[] = {"/proc/asound",
                                       "/proc/acpi",
                                       "/proc/kcore",
                                       "/proc/keys",
                                       "/proc/latency_stats",
                                       "/proc/timer_list",
                                       "/proc/timer_stats",
                                       "/proc/sched_debug",
                                       "/proc/scsi",
                                       "/sys/firmware",
                                       "/sys/devices/virtual/powercap"};
  for (const char* path : masked) {
    struct stat st {};
    if (::stat(path, &st) != 0)
      continue;
    if (S_ISDIR(st.st_mode))
      check(p, ::mount("tmpfs", path, "tmpfs", MS_RDONLY, nullptr), "mask", path);
    else
      check(p, ::mount("/dev/null", path, nullptr, MS_BIND, nullptr), "mask", path);
  }
  static const char* const read_only[] = {"/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys",
                                          "/proc/sysrq-trigger"};
  for (const char* path : read_only) {
    if (::access(path, F_OK) != 0)
      continue;
    check(p, ::mount(path, path, nullptr, MS_BIND | MS_REC, nullptr), "bind", path);
    set_read_only(p, path);
  }
}

void setup_kernel_filesystems(const ChildPlan& p) {
  mkdir_ok_if_exists(p, "/proc", 0555);
  check(p, ::mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, nullptr),
        "mount proc", "/proc");
  setup_dev(p);
  // sysfs is read-only and best effort, as in BuildKit's default spec.
  if (::mkdir("/sys", 0555) == 0 || errno == EEXIST)
    ::mount("sysfs", "/sys", "sysfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, nullptr);
  mask_kernel_files(p);
}

void clone_bind_sources(ChildPlan& p) {
  for (auto& m : p.mounts) {
    if (m.kind != ChildMount::Kind::bind)
      continue;
    m.tree_fd =
        ::open_tree(AT_FDCWD, m.source.c_str(), OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE);
    check(p, m.tree_fd, "open mount source", m.source.c_str());
  }
}

void enter_rootfs(const ChildPlan& p) {
  const char* root = p.rootfs.c_str();
  check(p, ::mount(root, root, nullptr, MS_BIND | MS_REC, nullptr), "bind rootfs", root);
  check(p, ::chdir(root), "chdir", root);
  // pivot_root(".", ".") stacks the old root on top of the new one; detaching
  // it leaves only the rootfs, with no directory of the host left behind.
  check(p, static_cast<int>(::syscall(SYS_pivot_root, ".", ".")), "pivot_root", root);
  check(p, ::umount2(".", MNT_DETACH), "detach the host root");
  check(p, ::chdir("/"), "chdir /");
}

void attach_mounts(const ChildPlan& p) {
  for (const auto& m : p.mounts) {
    const char* target = m.target.c_str();
    mkdir_all(p, m.parents);
    if (m.target_is_file) {
      int fd = ::open(target, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
      if (fd < 0 && errno != EISDIR)
        die(p, errno, "create mount point", target);
      if (fd >= 0)
        ::close(fd);
    } else {
      mkdir_ok_if_exists(p, target, 0755);
    }
    if (m.kind == ChildMount::Kind::tmpfs) {
      check(p, ::mount("tmpfs", target, "tmpfs", MS_NOSUID | MS_NODEV, m.tmpfs_options.c_str()),
            "mount tmpfs", target);
    } else {
      check(p, ::move_mount(m.tree_fd, "", AT_FDCWD, target, MOVE_MOUNT_F_EMPTY_PATH), "bind mount",
            target);
    }
    if (m.read_only)
      set_read_only(p, target);
  }
}

void bring_loopback_up(const ChildPlan& p) {
  int sock = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  check(p, sock, "socket for loopback setup");
  ifreq req{};
  const char name[] = "lo";
  for (size_t i = 0; i < sizeof name; ++i)
    req.ifr_name[i] = name[i];
  check(p, ::ioctl(sock, SIOCGIFFLAGS, &req), "get flags of", "lo");
  req.ifr_flags = static_cast<short>(req.ifr_flags | IFF_UP | IFF_RUNNING);
  check(p, ::ioctl(sock, SIOCSIFFLAGS, &req), "bring up", "lo");
  ::close(sock);
}

void drop_privileges(const ChildPlan& p) {
  int err = restrict_capabilities(p.capabilities, p.last_cap);
  if (err != 0)
    die(p, err, "restrict capabilities");
  check(p, ::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), "set no_new_privs");
  // Raw system calls, not glibc's wrappers: in a multi-threaded program the
  // wrappers change the ids of *every* thread ("setxid" broadcast), taking a
  // lock that another thread of the parent may have held at clone() time —
  // the child would hang forever. Here there is only one thread to change.
  check(p, static_cast<int>(::syscall(SYS_setgroups, p.groups.size(), p.groups.data())),
        "setgroups");
  check(p, static_cast<int>(::syscall(SYS_setresgid, p.gid, p.gid, p.gid)), "setgid");
  check(p, static_cast<int>(::syscall(SYS_setresuid, p.uid, p.uid, p.uid)), "setuid");
}

// The build process blocks or ignores signals in some threads; both survive
// execve, and a RUN step must start with the defaults like any container.
void reset_signals() {
  for (int sig = 1; sig < NSIG; ++sig)
    if (sig != SIGKILL && sig != SIGSTOP)
      ::signal(sig, SIG_DFL);
  sigset_t none;
  ::sigemptyset(&none);
  ::sigprocmask(SIG_SETMASK, &none, nullptr);
}

[[noreturn]] void exec_command(const ChildPlan& p) {
  int first_err = ENOENT;
  for (const auto& candidate : p.exec_candidates) {
    ::execve(candidate.c_str(), p.argv.data(), p.envp.data());
    // Like execvp: keep looking past "not here"; remember a more telling error.
    if (errno != ENOENT && errno != ENOTDIR && first_err == ENOENT)
      first_err = errno;
  }
  die(p, first_err, "exec", p.argv[0]);
}

} // namespace

int child_main(void* arg) {
  auto& p = *static_cast<ChildPlan*>(arg);
  ::prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
  ::setsid();
  check(p, ::dup2(p.stdin_fd, 0), "redirect stdin");
  check(p, ::dup2(p.stdout_fd, 1), "redirect stdout");
  check(p, ::dup2(p.stderr_fd, 2), "redirect stderr");
  ::umask(0);
  check(p, ::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr), "make mounts private");
  clone_bind_sources(p);
  enter_rootfs(p);
  setup_kernel_filesystems(p);
  attach_mounts(p);
  check(p, ::sethostname(p.hostname.data(), p.hostname.size()), "sethostname");
  if (p.network_none)
    bring_loopback_up(p);
  mkdir_all(p, p.cwd_parents);
  check(p, ::chdir(p.cwd.c_str()), "chdir to working directory", p.cwd.c_str());
  drop_privileges(p);
  // No descriptor of the build process may reach the command: an inherited
  // directory fd would be a way back to the host filesystem.
  check(p, static_cast<int>(::syscall(SYS_close_range, 3u, ~0u, CLOSE_RANGE_CLOEXEC)),
        "close inherited descriptors");
  ::umask(022);
  reset_signals();
  exec_command(p);
}

} // namespace xbuild::engine::exec::detail
