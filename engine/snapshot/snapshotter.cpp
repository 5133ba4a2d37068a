#include "engine/snapshot/snapshotter.hpp"

#include <cerrno>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "engine/snapshot/diff.hpp"
#include "engine/snapshot/fs_ops.hpp"
#include "util/fs.hpp"
#include "util/log.hpp"

namespace xbuild::engine::snapshot {
namespace fs = std::filesystem;
namespace {

// Overlay's limit is one page of mount options.
constexpr size_t k_max_mount_options = 4000;

// Names are chain ids ("sha256:…") or free text; keep them one path segment.
std::string escape_name(const std::string& name) {
  std::string out;
  for (char c : name) {
    if (c == '/' || c == '%')
      out += c == '/' ? "%2F" : "%25";
    else
      out += c;
  }
  if (!out.empty() && out[0] == '.')
    out = "%2E" + out.substr(1);
  return out;
}

bool is_mounted(const fs::path& path) {
  auto text = util::read_file("/proc/self/mountinfo");
  if (!text)
    return false;
  std::string needle = " " + path.string() + " ";
  return text->find(needle) != std::string::npos;
}

Result<void> mkdir_fresh(const fs::path& p) {
  if (::mkdir(p.c_str(), 0755) != 0 && errno != EEXIST)
    return fail("cannot create " + p.string() + ": " + std::strerror(errno));
  return {};
}

bool overlay_works(const fs::path& root) {
  if (::geteuid() != 0)
    return false;
  fs::path probe = root / ("probe-" + std::to_string(::getpid()));
  std::error_code ec;
  for (const char* d : {"lower", "upper", "work", "merged"})
    fs::create_directories(probe / d, ec);
  bool ok =
      !ec && mount_overlay({probe / "lower"}, probe / "upper", probe / "work", probe / "merged");
  if (ok)
    ::umount2((probe / "merged").c_str(), MNT_DETACH);
  (void)remove_tree(probe);
  return ok;
}

} // namespace

namespace {

std::string overlay_options(const std::vector<fs::path>& lowers, const fs::path& upper,
                            const fs::path& work, const fs::path& relative_to) {
  auto shown = [&](const fs::path& p) {
    return relative_to.empty() ? p.string() : p.lexically_relative(relative_to).string();
  };
  std::string lowerdir;
  for (const auto& l : lowers)
    lowerdir += (lowerdir.empty() ? "" : ":") + shown(l);
  return "lowerdir=" + lowerdir + ",upperdir=" + shown(upper) + ",workdir=" + shown(work);
}

// Tries the strict options, then the plain ones (older kernels reject some
// of the strict options; they default to off there). Returns 0 or errno.
// Must not allocate: it also runs in a forked helper.
int try_mount(const char* target, const std::string& strict, const std::string& plain) {
  for (const std::string* opts : {&strict, &plain}) {
    if (::mount("overlay", target, "overlay", 0, opts->c_str()) == 0)
      return 0;
    if (errno != EINVAL)
      break;
  }
  return errno;
}

// Mounts with paths relative to `dir`: a helper process chdirs there (the
// working directory is shared by all threads, so this process must not), and
// the mount it makes is in our mount namespace.
int mount_from_dir(const fs::path& dir, const char* target, const std::string& strict,
                   const std::string& plain) {
  std::string dir_s = dir.string();
  pid_t pid = static_cast<pid_t>(::syscall(SYS_clone, SIGCHLD, nullptr, nullptr, nullptr, nullptr));
  if (pid < 0)
    return errno;
  if (pid == 0) {
    if (::chdir(dir_s.c_str()) != 0)
      ::_exit(errno & 0xff);
    ::_exit(try_mount(target, strict, plain) & 0xff);
  }
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : EIO;
}

} // namespace

Result<void> mount_overlay(const std::vector<fs::path>& lowers, const fs::path& upper,
                           const fs::path& work, const fs::path& target,
                           const fs::path& relative_to) {
  if (lowers.empty())
    return fail("an overlay mount needs at least one lower directory");
  for (const auto& p : lowers)
    if (p.string().find_first_of(":,") != std::string::npos)
      return fail("overlay layer path " + p.string() + " contains ':' or ','");
  // Keep the upper dir a plain layer: no redirects (renamed dirs are copied),
  // no index, no metadata-only copy-ups.
  const std::string strict_suffix = ",redirect_dir=off,index=off,metacopy=off";
  std::string plain = overlay_options(lowers, upper, work, {});
  int err = 0;
  if (plain.size() + strict_suffix.size() <= k_max_mount_options) {
    err = try_mount(target.c_str(), plain + strict_suffix, plain);
  } else {
    // Options are limited to one page; relative paths fit many more layers.
    plain = relative_to.empty() ? plain : overlay_options(lowers, upper, work, relative_to);
    if (plain.size() + strict_suffix.size() > k_max_mount_options)
      return fail("too many layers (" + std::to_string(lowers.size()) +
                  ") for one overlay mount: the mount options exceed one page; squash the "
                  "base image or use a shorter state directory");
    std::string abs_target = fs::absolute(target).string();
    err = mount_from_dir(relative_to, abs_target.c_str(), plain + strict_suffix, plain);
  }
  if (err != 0)
    return fail("cannot mount overlay at " + target.string() + ": " + std::strerror(err));
  return {};
}

Active::Active(Active&& o) noexcept
    : m_owner(o.m_owner), m_id(std::move(o.m_id)), m_root(std::move(o.m_root)),
      m_lock_fd(o.m_lock_fd) {
  o.m_owner = nullptr;
  o.m_lock_fd = -1;
}

Active::~Active() {
  if (m_owner)
    m_owner->discard(m_id);
  release_lock();
}

void Active::release_lock() {
  if (m_lock_fd >= 0)
    ::close(m_lock_fd);
  m_lock_fd = -1;
}

Result<std::unique_ptr<Snapshotter>> Snapshotter::open(const fs::path& root, BackendChoice choice) {
  std::error_code ec;
  fs::create_directories(root / "snapshots", ec);
  fs::create_directories(root / "names", ec);
  if (ec)
    return fail("cannot create snapshot state in " + root.string() + ": " + ec.message());
  Backend backend = Backend::copy;
  if (choice == BackendChoice::overlay) {
    if (!overlay_works(root))
      return fail("overlayfs cannot be mounted in " + root.string() +
                  " (needs root and a filesystem that can hold an overlay upper dir)");
    backend = Backend::overlay;
  } else if (choice == BackendChoice::automatic && overlay_works(root)) {
    backend = Backend::overlay;
  }
  if (choice == BackendChoice::automatic && backend == Backend::copy)
    spdlog::debug("overlayfs unavailable in {}; using copy-based snapshots", root.string());
  std::unique_ptr<Snapshotter> snapshots(new Snapshotter(fs::absolute(root), backend));
  if (auto stale = snapshots->remove_stale(); !stale)
    spdlog::warn("cleaning up snapshots in {}: {}", root.string(), stale.error().message);
  return snapshots;
}

fs::path Snapshotter::dir(const std::string& id) const { return m_root / "snapshots" / id; }

Result<std::pair<std::string, int>> Snapshotter::allocate_id() {
  // Build the directory with its lock held under a temporary name, then move
  // it into place: remove_stale() in another process never sees a live
  // snapshot without its lock.
  std::string tmpl = (m_root / "snapshots" / "tmp-XXXXXX").string();
  if (!::mkdtemp(tmpl.data()))
    return fail("cannot create a snapshot in " + m_root.string() + ": " + std::strerror(errno));
  fs::path tmp = tmpl;
  int lock = ::open((tmp / "lock").c_str(), O_CREAT | O_RDWR | O_CLOEXEC, 0600);
  if (lock < 0 || ::flock(lock, LOCK_EX) != 0) {
    int err = errno;
    (void)remove_tree(tmp);
    return fail("cannot lock a new snapshot in " + m_root.string() + ": " + std::strerror(err));
  }
  unsigned long next = 1;
  std::error_code ec;
  for (fs::directory_iterator it(m_root / "snapshots", ec), end; !ec && it != end;
       it.increment(ec)) {
    try {
      next = std::max(next, std::stoul(it->path().filename().string()) + 1);
    } catch (const std::exception&) {
    }
  }
  // RENAME_NOREPLACE is the arbiter: a concurrent process that took this id
  // makes us move on to the next.
  for (int attempt = 0; attempt < 1000; ++attempt, ++next) {
    std::string id = std::to_string(next);
    if (::renameat2(AT_FDCWD, tmp.c_str(), AT_FDCWD, dir(id).c_str(), RENAME_NOREPLACE) == 0)
      return std::make_pair(id, lock);
    if (errno != EEXIST)
      break;
  }
  int err = errno;
  ::close(lock);
  (void)remove_tree(tmp);
  return fail("cannot allocate a snapshot id in " + m_root.string() + ": " + std::strerror(err));
}

Result<std::string> Snapshotter::resolve(const std::string& name) const {
  std::error_code ec;
  auto target = fs::read_symlink(m_root / "names" / escape_name(name), ec);
  if (ec)
    return fail("snapshot " + name + " not found in " + m_root.string());
  return target.filename().string();
}

Result<std::string> Snapshotter::parent_of(const std::string& id) const {
  auto text = util::read_file(dir(id) / "parent");
  if (!text)
    return fail("snapshot " + id + " in " + m_root.string() + " is damaged: no parent record");
  return *text;
}

Result<std::vector<fs::path>> Snapshotter::chain_of_id(const std::string& id) const {
  std::vector<fs::path> out;
  for (std::string cur = id; !cur.empty(); cur = TRY(parent_of(cur))) {
    out.push_back(dir(cur) / "fs");
    if (m_backend == Backend::copy || out.size() > 10000)
      break; // a copy snapshot is a full tree on its own
  }
  return out;
}

Result<std::vector<fs::path>> Snapshotter::chain(const std::string& name) const {
  return chain_of_id(TRY(resolve(name)));
}

bool Snapshotter::exists(const std::string& name) const {
  auto id = resolve(name);
  return id && fs::exists(dir(*id) / "committed");
}

Result<Active> Snapshotter::prepare(const std::string& parent) {
  std::string parent_id;
  if (!parent.empty())
    parent_id = TRY(resolve(parent));
  auto [id, lock] = TRY(allocate_id());
  Active active(this, id, dir(id) / "fs", lock);
  TRY_VOID(util::write_file_atomic(dir(id) / "parent", parent_id));
  TRY_VOID(mkdir_fresh(dir(id) / "fs"));
  if (parent_id.empty())
    return active;
  auto lowers = TRY(chain_of_id(parent_id));
  if (m_backend == Backend::copy) {
    TRY_VOID(copy_tree(lowers.front(), active.m_root));
    return active;
  }
  TRY_VOID(mkdir_fresh(dir(id) / "work"));
  TRY_VOID(mkdir_fresh(dir(id) / "merged"));
  TRY_VOID(mount_overlay(lowers, dir(id) / "fs", dir(id) / "work", dir(id) / "merged",
                         m_root / "snapshots"));
  active.m_root = dir(id) / "merged";
  return active;
}

fs::path Snapshotter::changes_root(const Active& active) const { return dir(active.id()) / "fs"; }

Result<std::vector<Change>> Snapshotter::diff(const Active& active) const {
  std::string parent_id = TRY(parent_of(active.id()));
  std::vector<fs::path> lowers;
  if (!parent_id.empty())
    lowers = TRY(chain_of_id(parent_id));
  if (m_backend == Backend::overlay)
    return overlay_diff(dir(active.id()) / "fs", lowers);
  return tree_diff(lowers.empty() ? fs::path() : lowers.front(), dir(active.id()) / "fs");
}

Result<void> Snapshotter::copy_up_dir(const Active& active, const fs::path& dir) const {
  if (m_backend != Backend::overlay)
    return {};
  struct stat st {};
  // Changing an attribute copies the directory (and its parents) up; setting
  // the owner it already has changes nothing else.
  if (::lstat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode) ||
      ::lchown(dir.c_str(), st.st_uid, st.st_gid) != 0)
    return fail("cannot prepare " + dir.string() + " in snapshot " + active.id() + ": " +
                std::strerror(errno));
  return {};
}

Result<void> Snapshotter::detach(const Active& active) const {
  fs::path merged = dir(active.id()) / "merged";
  if (m_backend == Backend::overlay && is_mounted(merged) && ::umount2(merged.c_str(), 0) != 0)
    return fail("cannot unmount " + merged.string() + ": " + std::strerror(errno));
  return {};
}

void Snapshotter::discard(const std::string& id) const {
  fs::path merged = dir(id) / "merged";
  if (is_mounted(merged))
    ::umount2(merged.c_str(), MNT_DETACH);
  if (auto r = remove_tree(dir(id)); !r)
    spdlog::warn("{}", r.error().message);
}

Result<std::string> Snapshotter::commit(Active&& to_commit, const std::string& name) {
  // Owned here: on any early return (and when the name exists already) the
  // active snapshot is discarded now, not whenever the caller's object dies.
  Active active = std::move(to_commit);
  std::string id = active.id();
  fs::path merged = dir(id) / "merged";
  if (is_mounted(merged) && ::umount2(merged.c_str(), 0) != 0)
    return fail("cannot unmount " + merged.string() + " to commit it: " + std::strerror(errno) +
                " (is a process still using it?)");
  std::error_code ec;
  fs::remove_all(dir(id) / "work", ec);
  fs::remove(merged, ec);
  TRY_VOID(util::write_file_atomic(dir(id) / "committed", name));
  fs::path link = m_root / "names" / escape_name(name);
  if (::symlink(("../snapshots/" + id).c_str(), link.c_str()) != 0) {
    if (errno != EEXIST)
      return fail("cannot name snapshot " + name + ": " + std::strerror(errno));
    // Someone committed the same layer first; theirs is as good as ours.
    return name; // `active` still owns its directory and deletes it
  }
  active.m_owner = nullptr;
  active.release_lock();
  return name;
}

std::vector<std::string> Snapshotter::names() const {
  // A snapshot counts once its name link points at it: a commit that lost
  // the race for a name has a `committed` marker too, but no link.
  std::vector<std::string> out;
  std::error_code ec;
  for (fs::directory_iterator it(m_root / "snapshots", ec), end; !ec && it != end;
       it.increment(ec)) {
    auto name = util::read_file(it->path() / "committed");
    if (!name || name->empty())
      continue;
    auto id = resolve(*name);
    if (id && *id == it->path().filename().string())
      out.push_back(*name);
  }
  return out;
}

Result<void> Snapshotter::remove(const std::string& name) {
  std::string id = TRY(resolve(name));
  std::error_code ec;
  for (fs::directory_iterator it(m_root / "snapshots", ec), end; !ec && it != end;
       it.increment(ec)) {
    auto parent = util::read_file(it->path() / "parent");
    if (parent && *parent == id)
      return fail("snapshot " + name + " is the parent of snapshot " +
                  it->path().filename().string() + "; remove that first");
  }
  fs::remove(m_root / "names" / escape_name(name), ec);
  return remove_tree(dir(id));
}

Result<size_t> Snapshotter::remove_stale() const {
  size_t removed = 0;
  std::error_code ec;
  std::vector<fs::path> dirs;
  for (fs::directory_iterator it(m_root / "snapshots", ec), end; !ec && it != end; it.increment(ec))
    dirs.push_back(it->path());
  for (const auto& d : dirs) {
    if (fs::exists(d / "committed"))
      continue;
    bool is_tmp = d.filename().string().rfind("tmp-", 0) == 0;
    int lock = ::open((d / "lock").c_str(), O_RDWR | O_CLOEXEC);
    if (lock < 0) {
      // No lock yet: a temp dir being set up right now, unless it is old.
      struct stat st {};
      bool old = ::lstat(d.c_str(), &st) == 0 && ::time(nullptr) - st.st_mtime > 600;
      if (!(is_tmp && old))
        continue;
    } else if (::flock(lock, LOCK_EX | LOCK_NB) != 0) {
      ::close(lock);
      continue; // alive
    }
    fs::path merged = d / "merged";
    if (is_mounted(merged))
      ::umount2(merged.c_str(), MNT_DETACH);
    auto r = remove_tree(d);
    if (lock >= 0)
      ::close(lock);
    TRY_VOID(r);
    ++removed;
  }
  fs::path staging = m_root / "staging";
  if (fs::exists(staging)) {
    // Staging dirs live only inside write_diff_layer(); any without a live
    // active snapshot of the same id prefix are leftovers.
    for (fs::directory_iterator it(staging, ec), end; !ec && it != end; it.increment(ec)) {
      std::string owner = it->path().filename().string();
      owner = owner.substr(0, owner.rfind('-'));
      if (!fs::exists(dir(owner)) || fs::exists(dir(owner) / "committed")) {
        (void)remove_tree(it->path());
        ++removed;
      }
    }
  }
  return removed;
}

} // namespace xbuild::engine::snapshot
