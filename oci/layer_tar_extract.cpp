// Safe layer extraction.
//
// The threat: a layer is untrusted input. Entry names may be absolute or
// climb with "..", a symlink entry may point anywhere and a later entry may
// try to write through it, a hard link may name a file outside the target.
// The defence: every path is resolved component by component from a
// directory fd of the target, with lstat semantics; symlinks met on the way
// are followed only with chroot semantics (an absolute target starts at the
// target root) and only when they lead to an existing directory inside the
// target; ".." above the root is an error, not a clamp. The final component
// is never followed: whatever is there is removed and recreated with
// O_EXCL|O_NOFOLLOW. Directory modes and times are applied at the end so a
// read-only directory does not block its own children.

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <deque>
#include <memory>
#include <set>

#include "oci/layer_tar.hpp"
#include "oci/tar_reader.hpp"
#include "util/strings.hpp"

namespace xbuild::oci {
namespace {

constexpr int k_max_symlink_hops = 40;

std::string join(const std::vector<std::string>& parts) { return util::join(parts, "/"); }

struct DeferredDir {
  std::string rel;
  mode_t mode;
  uid_t uid;
  gid_t gid;
  time_t mtime;
};

class Extractor {
public:
  Extractor(fs::path target, const ExtractOptions& options, std::string what)
      : m_target(std::move(target)), m_options(options), m_what(std::move(what)),
        m_root(geteuid() == 0) {}
  ~Extractor() {
    if (m_root_fd >= 0)
      ::close(m_root_fd);
  }

  Result<void> open() {
    std::error_code ec;
    fs::create_directories(m_target, ec);
    m_root_fd = ::open(m_target.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (m_root_fd < 0)
      return fail("cannot open extraction directory " + m_target.string() + ": " +
                  std::strerror(errno));
    return {};
  }

  Result<void> entry(struct archive* a, archive_entry* e, ExtractStats& stats) {
    const char* raw_name = archive_entry_pathname(e);
    std::string name = raw_name ? raw_name : "";
    auto comps = TRY(clean(name, "entry"));
    if (comps.empty())
      return {}; // "./": the root itself
    std::string base = comps.back();
    comps.pop_back();
    std::string parent = TRY(resolve_dir(comps, name));
    if (util::starts_with(base, k_whiteout_prefix))
      return apply_whiteout(name, parent, base, stats);
    std::string rel = parent.empty() ? base : parent + "/" + base;

    mode_t type = archive_entry_filetype(e);
    const char* hardlink = archive_entry_hardlink(e);
    struct stat existing {};
    if (::fstatat(m_root_fd, rel.c_str(), &existing, AT_SYMLINK_NOFOLLOW) == 0) {
      bool keep = S_ISDIR(existing.st_mode) && type == AE_IFDIR && !hardlink;
      if (!keep)
        TRY_VOID(remove_path(rel));
    }
    m_written.insert(rel);
    ++stats.entries;

    if (hardlink)
      return make_hardlink(name, rel, hardlink);
    switch (type) {
    case AE_IFDIR:
      if (::mkdirat(m_root_fd, rel.c_str(), 0700) != 0 && errno != EEXIST)
        return sys_error("cannot create directory", rel);
      m_dirs.push_back({rel, archive_entry_perm(e), static_cast<uid_t>(archive_entry_uid(e)),
                        static_cast<gid_t>(archive_entry_gid(e)), archive_entry_mtime(e)});
      return set_xattrs(e, rel);
    case AE_IFREG:
      return create_file(a, e, rel, stats);
    case AE_IFLNK:
      return create_symlink(e, rel);
    case AE_IFIFO:
    case AE_IFCHR:
    case AE_IFBLK:
      return create_special(e, rel, stats);
    default:
      return refuse(name, "has an unsupported file type");
    }
  }

  // Directory metadata last, deepest first. Each directory is opened with
  // O_NOFOLLOW: a later entry may have replaced it with a symlink, and
  // chmod/chown must never reach through that to something outside.
  void finish() {
    for (auto it = m_dirs.rbegin(); it != m_dirs.rend(); ++it) {
      int fd =
          ::openat(m_root_fd, it->rel.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
      if (fd < 0)
        continue; // removed or replaced by a later entry
      if (m_options.same_owner && m_root)
        ::fchown(fd, it->uid, it->gid);
      ::fchmod(fd, it->mode);
      struct timespec times[2] = {{it->mtime, 0}, {it->mtime, 0}};
      ::futimens(fd, times);
      ::close(fd);
    }
  }

private:
  // ".wh.<name>" deletes <name>; ".wh..wh..opq" empties the directory.
  Result<void> apply_whiteout(const std::string& name, const std::string& parent,
                              const std::string& base, ExtractStats& stats) {
    if (!m_options.apply_whiteouts)
      return refuse(name, "is a whiteout, which this extraction does not accept");
    ++stats.whiteouts;
    if (base == k_opaque_whiteout)
      return clear_dir(parent);
    std::string victim = base.substr(k_whiteout_prefix.size());
    if (victim.empty() || victim == "." || victim == "..")
      return refuse(name, "is a malformed whiteout");
    return remove_path(parent.empty() ? victim : parent + "/" + victim);
  }

  Result<void> create_file(struct archive* a, archive_entry* e, const std::string& rel,
                           ExtractStats& stats) {
    int fd = ::openat(m_root_fd, rel.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
                      0600);
    if (fd < 0)
      return sys_error("cannot create file", rel);
    auto r = copy_data(a, fd, rel, stats);
    // A sparse file may end in a hole that no data block covers.
    if (r && archive_entry_size_is_set(e) && ::ftruncate(fd, archive_entry_size(e)) != 0)
      r = sys_error("cannot size", rel);
    if (r) {
      if (m_options.same_owner && m_root)
        ::fchown(fd, static_cast<uid_t>(archive_entry_uid(e)),
                 static_cast<gid_t>(archive_entry_gid(e)));
      ::fchmod(fd, archive_entry_perm(e));
      struct timespec times[2] = {{archive_entry_mtime(e), 0}, {archive_entry_mtime(e), 0}};
      ::futimens(fd, times);
    }
    ::close(fd);
    TRY_VOID(r);
    return set_xattrs(e, rel);
  }

  // The link itself is harmless wherever it points: only paths that go
  // through it are checked (resolve_dir).
  Result<void> create_symlink(archive_entry* e, const std::string& rel) {
    const char* target = archive_entry_symlink(e);
    if (::symlinkat(target ? target : "", m_root_fd, rel.c_str()) != 0)
      return sys_error("cannot create symlink", rel);
    if (m_options.same_owner && m_root)
      ::fchownat(m_root_fd, rel.c_str(), static_cast<uid_t>(archive_entry_uid(e)),
                 static_cast<gid_t>(archive_entry_gid(e)), AT_SYMLINK_NOFOLLOW);
    struct timespec times[2] = {{archive_entry_mtime(e), 0}, {archive_entry_mtime(e), 0}};
    ::utimensat(m_root_fd, rel.c_str(), times, AT_SYMLINK_NOFOLLOW);
    return {};
  }

  // FIFOs always; device nodes only as root (skipped and counted otherwise).
  Result<void> create_special(archive_entry* e, const std::string& rel, ExtractStats& stats) {
    mode_t type = archive_entry_filetype(e);
    if (type == AE_IFIFO) {
      if (::mkfifoat(m_root_fd, rel.c_str(), archive_entry_perm(e)) != 0)
        return sys_error("cannot create fifo", rel);
      return {};
    }
    if (!m_root) {
      ++stats.skipped;
      return {};
    }
    if (::mknodat(m_root_fd, rel.c_str(), type | archive_entry_perm(e), archive_entry_rdev(e)) != 0)
      return sys_error("cannot create device node", rel);
    return {};
  }

  tl::unexpected<Error> refuse(const std::string& name, const std::string& why) {
    return fail("refusing to extract " + m_what + ": entry \"" + name + "\" " + why +
                "; the layer is malformed or hostile, nothing outside " + m_target.string() +
                " was written");
  }

  tl::unexpected<Error> sys_error(const std::string& what, const std::string& rel) {
    int err = errno;
    return fail("extracting " + m_what + ": " + what + " " + (m_target / rel).string() + ": " +
                std::strerror(err));
  }

  // Splits an entry name into components; refuses absolute names and "..".
  Result<std::vector<std::string>> clean(const std::string& name, const char* kind) {
    if (!name.empty() && name.front() == '/')
      return refuse(name, std::string("is an absolute path (") + kind + ")");
    std::vector<std::string> out;
    for (auto& c : util::split(name, '/')) {
      if (c.empty() || c == ".")
        continue;
      if (c == "..")
        return refuse(name, "contains \"..\"");
      out.push_back(c);
    }
    return out;
  }

  // Resolves directory components to a path (relative to the root) made only
  // of real directories, creating missing plain components.
  Result<std::string> resolve_dir(const std::vector<std::string>& comps, const std::string& name) {
    std::vector<std::string> stack;
    std::deque<std::pair<std::string, bool>> work; // component, came from a symlink
    for (auto& c : comps)
      work.emplace_back(c, false);
    int hops = 0;
    while (!work.empty()) {
      auto [comp, from_link] = work.front();
      work.pop_front();
      if (comp.empty() || comp == ".")
        continue;
      if (comp == "..") {
        if (stack.empty())
          return refuse(name, "goes through a symlink that leads outside the target");
        stack.pop_back();
        continue;
      }
      stack.push_back(comp);
      std::string rel = join(stack);
      struct stat st {};
      if (::fstatat(m_root_fd, rel.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
        if (errno != ENOENT)
          return sys_error("cannot inspect", rel);
        if (from_link)
          return refuse(name, "goes through a symlink to \"" + rel +
                                  "\", which does not exist inside the target");
        if (::mkdirat(m_root_fd, rel.c_str(), 0755) != 0)
          return sys_error("cannot create directory", rel);
        continue;
      }
      if (S_ISDIR(st.st_mode))
        continue;
      if (!S_ISLNK(st.st_mode))
        return refuse(name, "needs \"" + rel + "\" to be a directory, but it is a file");
      if (++hops > k_max_symlink_hops)
        return refuse(name, "goes through too many levels of symlinks");
      std::string link(static_cast<size_t>(st.st_size) + 1, '\0');
      ssize_t n = ::readlinkat(m_root_fd, rel.c_str(), link.data(), link.size());
      if (n < 0)
        return sys_error("cannot read symlink", rel);
      link.resize(static_cast<size_t>(n));
      stack.pop_back();
      if (!link.empty() && link.front() == '/')
        stack.clear(); // chroot semantics: "/" is the target root
      auto parts = util::split(link, '/');
      for (auto it = parts.rbegin(); it != parts.rend(); ++it)
        work.emplace_front(*it, true);
    }
    return join(stack);
  }

  Result<void> make_hardlink(const std::string& name, const std::string& rel,
                             const std::string& link_name) {
    if (!link_name.empty() && link_name.front() == '/')
      return refuse(name, "is a hard link to an absolute path \"" + link_name + "\"");
    auto comps = TRY(clean(link_name, "hard link target"));
    if (comps.empty())
      return refuse(name, "is a hard link to the root directory");
    std::string base = comps.back();
    comps.pop_back();
    std::string parent = TRY(resolve_dir(comps, name));
    std::string target = parent.empty() ? base : parent + "/" + base;
    struct stat st {};
    if (::fstatat(m_root_fd, target.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0)
      return refuse(name, "is a hard link to \"" + link_name +
                              "\", which is not inside the target (links must point to an "
                              "earlier entry)");
    if (S_ISDIR(st.st_mode))
      return refuse(name, "is a hard link to a directory");
    if (::linkat(m_root_fd, target.c_str(), m_root_fd, rel.c_str(), 0) != 0)
      return sys_error("cannot create hard link", rel);
    return {};
  }

  Result<void> copy_data(struct archive* a, int fd, const std::string& rel, ExtractStats& stats) {
    const void* block = nullptr;
    size_t size = 0;
    la_int64_t offset = 0;
    for (;;) {
      int rc = archive_read_data_block(a, &block, &size, &offset);
      if (rc == ARCHIVE_EOF)
        return {};
      if (rc < ARCHIVE_WARN)
        return fail("extracting " + m_what + ": cannot read the content of \"" + rel + "\": " +
                    (archive_error_string(a) ? archive_error_string(a) : "libarchive error"));
      auto p = static_cast<const char*>(block);
      size_t left = size;
      off_t pos = static_cast<off_t>(offset);
      while (left > 0) {
        ssize_t n = ::pwrite(fd, p, left, pos);
        if (n < 0 && errno == EINTR)
          continue;
        if (n < 0)
          return sys_error("cannot write", rel);
        p += n;
        pos += n;
        left -= static_cast<size_t>(n);
      }
      stats.bytes += static_cast<int64_t>(size);
    }
  }

  Result<void> set_xattrs(archive_entry* e, const std::string& rel) {
    if (!m_options.xattrs || archive_entry_xattr_reset(e) == 0)
      return {};
    std::string full = (m_target / rel).string();
    const char* key = nullptr;
    const void* value = nullptr;
    size_t size = 0;
    while (archive_entry_xattr_next(e, &key, &value, &size) == ARCHIVE_OK) {
      if (::lsetxattr(full.c_str(), key, value, size, 0) != 0 && errno != EPERM &&
          errno != ENOTSUP && errno != EACCES)
        return sys_error(std::string("cannot set xattr ") + key + " on", rel);
    }
    return {};
  }

  Result<void> remove_path(const std::string& rel) {
    std::error_code ec;
    // The parent has no symlinks and remove_all does not follow the last
    // component, so this never deletes outside the target.
    fs::remove_all(m_target / rel, ec);
    if (ec)
      return fail("extracting " + m_what + ": cannot remove " + (m_target / rel).string() + ": " +
                  ec.message());
    return {};
  }

  // Opaque whiteout: hide everything in the directory from lower layers, but
  // keep what this layer already wrote there.
  Result<void> clear_dir(const std::string& rel) {
    std::error_code ec;
    fs::path dir = rel.empty() ? m_target : m_target / rel;
    std::vector<std::string> victims;
    for (auto& entry : fs::directory_iterator(dir, ec)) {
      std::string child = (rel.empty() ? "" : rel + "/") + entry.path().filename().string();
      if (!m_written.count(child))
        victims.push_back(child);
    }
    for (auto& v : victims)
      TRY_VOID(remove_path(v));
    return {};
  }

  fs::path m_target;
  const ExtractOptions& m_options;
  std::string m_what;
  bool m_root;
  int m_root_fd = -1;
  std::set<std::string> m_written;
  std::vector<DeferredDir> m_dirs;
};

} // namespace

Result<ExtractStats> extract_layer(const ReadFn& source, const fs::path& target,
                                   const ExtractOptions& options, const std::string& what) {
  auto reader = TRY(TarReader::open(source, what,
                                    "the layer is not a valid (gzip or zstd compressed) tar",
                                    /*allow_empty=*/true, "cannot open the layer"));
  struct archive* a = reader->get();
  auto archive_error = [&](const std::string& doing) {
    return tl::unexpected(reader->error(doing));
  };

  Extractor extractor(target, options, what);
  TRY_VOID(extractor.open());
  ExtractStats stats;
  for (;;) {
    archive_entry* e = nullptr;
    int rc = archive_read_next_header(a, &e);
    if (rc == ARCHIVE_EOF)
      break;
    if (rc < ARCHIVE_WARN)
      return archive_error("cannot read the next entry");
    TRY_VOID(extractor.entry(a, e, stats));
  }
  extractor.finish();
  return stats;
}

Result<ExtractStats> extract_layer_file(const fs::path& tar, const fs::path& target,
                                        const ExtractOptions& options) {
  int fd = ::open(tar.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return fail("cannot open layer " + tar.string() + ": " + std::strerror(errno));
  ReadFn read = [fd, &tar](void* buf, size_t size) -> Result<size_t> {
    for (;;) {
      ssize_t n = ::read(fd, buf, size);
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        return fail("cannot read layer " + tar.string() + ": " + std::strerror(errno));
      return static_cast<size_t>(n);
    }
  };
  auto r = extract_layer(read, target, options, "layer " + tar.string());
  ::close(fd);
  return r;
}

} // namespace xbuild::oci
