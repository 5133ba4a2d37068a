#include "engine/snapshot/fs_ops.hpp"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <map>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>
#include <utility>
#include <vector>

#include "util/strings.hpp"

namespace xbuild::engine::snapshot {
namespace fs = std::filesystem;
namespace {

Error sys_error(const std::string& what, const fs::path& path) {
  return Error{what + " " + path.string() + ": " + std::strerror(errno)};
}

std::vector<std::string> list_xattrs(const fs::path& path) {
  ssize_t size = ::llistxattr(path.c_str(), nullptr, 0);
  if (size <= 0)
    return {};
  std::string buf(static_cast<size_t>(size), '\0');
  size = ::llistxattr(path.c_str(), buf.data(), buf.size());
  if (size <= 0)
    return {};
  buf.resize(static_cast<size_t>(size));
  std::vector<std::string> names;
  for (const auto& n : util::split(buf, '\0'))
    if (!n.empty())
      names.push_back(n);
  return names;
}

Result<void> copy_xattrs(const fs::path& src, const fs::path& dst) {
  for (const auto& name : list_xattrs(src)) {
    // Overlay's bookkeeping (opaque, origin, redirect…) describes the upper
    // dir, not the file; the differ reads it, copies must not carry it.
    if (util::starts_with(name, "trusted.overlay.") || util::starts_with(name, "user.overlay."))
      continue;
    ssize_t size = ::lgetxattr(src.c_str(), name.c_str(), nullptr, 0);
    if (size < 0)
      continue;
    std::string value(static_cast<size_t>(size), '\0');
    size = ::lgetxattr(src.c_str(), name.c_str(), value.data(), value.size());
    if (size < 0)
      continue;
    if (::lsetxattr(dst.c_str(), name.c_str(), value.data(), static_cast<size_t>(size), 0) != 0 &&
        errno != ENOTSUP && errno != EPERM)
      return tl::unexpected(sys_error("cannot set xattr " + name + " on", dst));
  }
  return {};
}

Result<void> copy_file_data(const fs::path& src, const fs::path& dst, mode_t mode) {
  int in = ::open(src.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (in < 0)
    return tl::unexpected(sys_error("cannot open", src));
  int out = ::open(dst.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode & 07777);
  if (out < 0) {
    ::close(in);
    return tl::unexpected(sys_error("cannot create", dst));
  }
  Result<void> result;
  for (;;) {
    ssize_t n = ::copy_file_range(in, nullptr, out, nullptr, 1 << 30, 0);
    if (n == 0)
      break;
    if (n > 0)
      continue;
    if (errno == EINTR)
      continue;
    // Filesystems without copy_file_range: plain read/write.
    if (errno == EXDEV || errno == EINVAL || errno == ENOSYS || errno == EOPNOTSUPP) {
      char buf[1 << 16];
      ssize_t r;
      while ((r = ::read(in, buf, sizeof buf)) > 0)
        if (::write(out, buf, static_cast<size_t>(r)) != r) {
          result = tl::unexpected(sys_error("cannot write", dst));
          break;
        }
      if (r < 0)
        result = tl::unexpected(sys_error("cannot read", src));
      break;
    }
    result = tl::unexpected(sys_error("cannot copy into", dst));
    break;
  }
  ::close(in);
  ::close(out);
  return result;
}

Result<void> set_times(const fs::path& dst, const struct stat& st) {
  timespec times[2] = {st.st_atim, st.st_mtim};
  if (::utimensat(AT_FDCWD, dst.c_str(), times, AT_SYMLINK_NOFOLLOW) != 0)
    return tl::unexpected(sys_error("cannot set times of", dst));
  return {};
}

} // namespace

bool is_whiteout(const struct stat& st) {
  return S_ISCHR(st.st_mode) && st.st_rdev == makedev(0, 0);
}

std::string get_xattr(const fs::path& path, const char* name) {
  char buf[256];
  ssize_t n = ::lgetxattr(path.c_str(), name, buf, sizeof buf);
  return n > 0 ? std::string(buf, static_cast<size_t>(n)) : std::string();
}

Result<void> copy_metadata(const fs::path& src, const fs::path& dst, const struct stat& st) {
  if (::lchown(dst.c_str(), st.st_uid, st.st_gid) != 0 && errno != EPERM)
    return tl::unexpected(sys_error("cannot chown", dst));
  TRY_VOID(copy_xattrs(src, dst));
  // chmod after chown: chown clears setuid/setgid bits.
  if (!S_ISLNK(st.st_mode) && ::chmod(dst.c_str(), st.st_mode & 07777) != 0)
    return tl::unexpected(sys_error("cannot chmod", dst));
  return set_times(dst, st);
}

Result<void> copy_entry(const fs::path& src, const fs::path& dst, FileCopy mode) {
  struct stat st {};
  if (::lstat(src.c_str(), &st) != 0)
    return tl::unexpected(sys_error("cannot stat", src));
  if (S_ISREG(st.st_mode) && mode == FileCopy::hard_link) {
    if (::link(src.c_str(), dst.c_str()) == 0)
      return {};
    if (errno != EXDEV && errno != EPERM && errno != EMLINK)
      return tl::unexpected(sys_error("cannot link", dst));
  }
  if (S_ISREG(st.st_mode)) {
    TRY_VOID(copy_file_data(src, dst, st.st_mode));
  } else if (S_ISDIR(st.st_mode)) {
    if (::mkdir(dst.c_str(), 0700) != 0 && errno != EEXIST)
      return tl::unexpected(sys_error("cannot create directory", dst));
  } else if (S_ISLNK(st.st_mode)) {
    std::error_code ec;
    auto target = fs::read_symlink(src, ec);
    if (ec || ::symlink(target.c_str(), dst.c_str()) != 0)
      return tl::unexpected(sys_error("cannot create symlink", dst));
  } else if (::mknod(dst.c_str(), st.st_mode, st.st_rdev) != 0) {
    return tl::unexpected(sys_error("cannot create special file", dst));
  }
  return copy_metadata(src, dst, st);
}

Result<void> copy_tree(const fs::path& src, const fs::path& dst) {
  std::map<std::pair<dev_t, ino_t>, fs::path> linked; // hard links seen, by inode
  std::vector<std::pair<fs::path, fs::path>> dirs;    // times fixed at the end
  std::error_code ec;
  fs::recursive_directory_iterator it(src, fs::directory_options::none, ec), end;
  if (ec)
    return fail("cannot read " + src.string() + ": " + ec.message());
  for (; it != end; it.increment(ec)) {
    if (ec)
      return fail("cannot read " + src.string() + ": " + ec.message());
    const fs::path& from = it->path();
    fs::path to = dst / from.lexically_relative(src); // not relative(): it follows links
    struct stat st {};
    if (::lstat(from.c_str(), &st) != 0)
      return tl::unexpected(sys_error("cannot stat", from));
    if (!S_ISDIR(st.st_mode) && st.st_nlink > 1) {
      auto key = std::make_pair(st.st_dev, st.st_ino);
      if (auto found = linked.find(key); found != linked.end()) {
        if (::link(found->second.c_str(), to.c_str()) != 0)
          return tl::unexpected(sys_error("cannot link", to));
        continue;
      }
      linked.emplace(key, to);
    }
    TRY_VOID(copy_entry(from, to, FileCopy::copy));
    if (S_ISDIR(st.st_mode))
      dirs.emplace_back(from, to);
  }
  for (auto d = dirs.rbegin(); d != dirs.rend(); ++d) {
    struct stat st {};
    if (::lstat(d->first.c_str(), &st) == 0)
      TRY_VOID(set_times(d->second, st));
  }
  return {};
}

Result<void> remove_tree(const fs::path& path) {
  std::error_code ec;
  fs::remove_all(path, ec);
  if (!ec)
    return {};
  // A directory without write permission (chmod 0555 in a RUN) blocks
  // removal of its entries even for root on some filesystems; open it up.
  for (auto it = fs::recursive_directory_iterator(path, ec); !ec && it != fs::end(it);
       it.increment(ec))
    if (it->is_directory(ec) && !it->is_symlink(ec))
      ::chmod(it->path().c_str(), 0700);
  fs::remove_all(path, ec);
  if (ec)
    return fail("cannot remove " + path.string() + ": " + ec.message());
  return {};
}

} // namespace xbuild::engine::snapshot
