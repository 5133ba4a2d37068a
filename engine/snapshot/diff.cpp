#include "engine/snapshot/diff.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "engine/snapshot/fs_ops.hpp"

namespace xbuild::engine::snapshot {
namespace fs = std::filesystem;
namespace {

std::string join_rel(const std::string& dir, const std::string& name) {
  return dir.empty() ? name : dir + "/" + name;
}

Result<std::vector<std::string>> sorted_names(const fs::path& dir) {
  std::vector<std::string> names;
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec))
    names.push_back(it->path().filename().string());
  if (ec)
    return fail("cannot read directory " + dir.string() + ": " + ec.message());
  std::sort(names.begin(), names.end());
  return names;
}

bool lstat_ok(const fs::path& p, struct stat& st) { return ::lstat(p.c_str(), &st) == 0; }

bool is_opaque(const fs::path& dir) {
  return get_xattr(dir, "trusted.overlay.opaque") == "y" ||
         get_xattr(dir, "user.overlay.opaque") == "y";
}

// Where `rel` is visible in the merged view of `lowers` (topmost first), or
// an empty path when it is not.
fs::path find_in_lowers(const std::string& rel, const std::vector<fs::path>& lowers) {
  std::vector<std::string> prefixes; // "a", "a/b", … , rel
  for (size_t pos = rel.find('/'); pos != std::string::npos; pos = rel.find('/', pos + 1))
    prefixes.push_back(rel.substr(0, pos));
  prefixes.push_back(rel);
  for (const auto& layer : lowers) {
    bool hidden_below = false;
    struct stat st {};
    for (size_t i = 0; i < prefixes.size(); ++i) {
      fs::path p = layer / prefixes[i];
      if (!lstat_ok(p, st))
        break;
      if (is_whiteout(st))
        return {};
      bool last = i + 1 == prefixes.size();
      if (last)
        return p;
      if (!S_ISDIR(st.st_mode))
        return {}; // a file where a parent directory should be
      if (is_opaque(p))
        hidden_below = true;
    }
    if (hidden_below)
      return {};
  }
  return {};
}

// Overlay copies a directory up as soon as anything inside it changes; if
// its own metadata is still the lower one's, only its children changed and
// the directory itself is not a change (parents are added when staging).
bool same_dir_metadata(const struct stat& upper, const fs::path& lower) {
  struct stat st {};
  return lstat_ok(lower, st) && S_ISDIR(st.st_mode) && st.st_mode == upper.st_mode &&
         st.st_uid == upper.st_uid && st.st_gid == upper.st_gid &&
         st.st_mtim.tv_sec == upper.st_mtim.tv_sec && st.st_mtim.tv_nsec == upper.st_mtim.tv_nsec;
}

// `under_opaque`: an ancestor is opaque, so nothing below exists in lowers.
Result<void> walk_upper(const fs::path& upper, const std::string& rel,
                        const std::vector<fs::path>& lowers, bool under_opaque,
                        std::vector<Change>& out) {
  auto names = TRY(sorted_names(rel.empty() ? upper : upper / rel));
  for (const auto& name : names) {
    std::string path = join_rel(rel, name);
    fs::path abs = upper / path;
    struct stat st {};
    if (!lstat_ok(abs, st))
      return fail("cannot stat " + abs.string() + ": " + std::strerror(errno));
    if (is_whiteout(st)) {
      out.push_back({ChangeKind::deleted, path, false});
      continue;
    }
    fs::path lower = under_opaque ? fs::path() : find_in_lowers(path, lowers);
    Change c{lower.empty() ? ChangeKind::added : ChangeKind::modified, path, false};
    if (S_ISDIR(st.st_mode)) {
      if (!get_xattr(abs, "trusted.overlay.redirect").empty())
        return fail("redirect_dir is used but it's not supported in the overlay differ (" +
                    abs.string() + "); mount overlay with redirect_dir=off");
      c.opaque = is_opaque(abs);
      if (c.opaque || lower.empty() || !same_dir_metadata(st, lower))
        out.push_back(c);
      TRY_VOID(walk_upper(upper, path, lowers, under_opaque || c.opaque, out));
    } else {
      out.push_back(c);
    }
  }
  return {};
}

// ---- tree comparison ------------------------------------------------------

Result<bool> same_contents(const fs::path& a, const fs::path& b) {
  int fa = ::open(a.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  int fb = ::open(b.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fa < 0 || fb < 0) {
    int err = errno;
    if (fa >= 0)
      ::close(fa);
    if (fb >= 0)
      ::close(fb);
    return fail("cannot compare " + a.string() + " and " + b.string() + ": " + std::strerror(err));
  }
  bool same = true;
  char ba[1 << 15], bb[1 << 15];
  for (;;) {
    ssize_t na = ::read(fa, ba, sizeof ba);
    ssize_t nb = ::read(fb, bb, sizeof bb);
    if (na != nb || na < 0 || std::memcmp(ba, bb, static_cast<size_t>(na)) != 0) {
      same = false;
      break;
    }
    if (na == 0)
      break;
  }
  ::close(fa);
  ::close(fb);
  return same;
}

Result<bool> entry_changed(const fs::path& a, const struct stat& sa, const fs::path& b,
                           const struct stat& sb) {
  if ((sa.st_mode & S_IFMT) != (sb.st_mode & S_IFMT) || sa.st_mode != sb.st_mode ||
      sa.st_uid != sb.st_uid || sa.st_gid != sb.st_gid || sa.st_rdev != sb.st_rdev)
    return true;
  if (S_ISDIR(sa.st_mode))
    return sa.st_mtim.tv_sec != sb.st_mtim.tv_sec || sa.st_mtim.tv_nsec != sb.st_mtim.tv_nsec;
  if (sa.st_size != sb.st_size || sa.st_mtim.tv_sec != sb.st_mtim.tv_sec ||
      sa.st_mtim.tv_nsec != sb.st_mtim.tv_nsec)
    return true;
  if (S_ISLNK(sa.st_mode)) {
    std::error_code e1, e2;
    return fs::read_symlink(a, e1) != fs::read_symlink(b, e2);
  }
  if (S_ISREG(sa.st_mode) && sa.st_mtim.tv_nsec == 0)
    return !TRY(same_contents(a, b));
  return false;
}

Result<void> add_all(const fs::path& root, const std::string& rel, std::vector<Change>& out) {
  auto names = TRY(sorted_names(root / rel));
  for (const auto& name : names) {
    std::string path = join_rel(rel, name);
    out.push_back({ChangeKind::added, path, false});
    struct stat st {};
    if (lstat_ok(root / path, st) && S_ISDIR(st.st_mode))
      TRY_VOID(add_all(root, path, out));
  }
  return {};
}

Result<void> compare_dirs(const fs::path& old_root, const fs::path& new_root,
                          const std::string& rel, std::vector<Change>& out) {
  auto old_names = TRY(sorted_names(old_root / rel));
  auto new_names = TRY(sorted_names(new_root / rel));
  size_t i = 0, j = 0;
  while (i < old_names.size() || j < new_names.size()) {
    bool take_old = j == new_names.size() || (i < old_names.size() && old_names[i] < new_names[j]);
    bool take_new = i == old_names.size() || (j < new_names.size() && new_names[j] < old_names[i]);
    if (take_old) {
      out.push_back({ChangeKind::deleted, join_rel(rel, old_names[i++]), false});
      continue;
    }
    std::string path = join_rel(rel, new_names[j]);
    struct stat sn {
    }, so{};
    if (!lstat_ok(new_root / path, sn))
      return fail("cannot stat " + (new_root / path).string() + ": " + std::strerror(errno));
    if (take_new) {
      ++j;
      out.push_back({ChangeKind::added, path, false});
      if (S_ISDIR(sn.st_mode))
        TRY_VOID(add_all(new_root, path, out));
      continue;
    }
    ++i, ++j;
    if (!lstat_ok(old_root / path, so))
      return fail("cannot stat " + (old_root / path).string() + ": " + std::strerror(errno));
    bool was_dir = S_ISDIR(so.st_mode), is_dir = S_ISDIR(sn.st_mode);
    if (is_dir && !was_dir) {
      out.push_back({ChangeKind::modified, path, true});
      TRY_VOID(add_all(new_root, path, out));
      continue;
    }
    if (TRY(entry_changed(old_root / path, so, new_root / path, sn)))
      out.push_back({ChangeKind::modified, path, false});
    if (is_dir)
      TRY_VOID(compare_dirs(old_root, new_root, path, out));
  }
  return {};
}

// Parents before children, and "a/b" right after "a" (before "a-b"): the
// order a tar writer needs. The walk already produces it; this makes it an
// invariant rather than an accident of the walk.
void sort_changes(std::vector<Change>& changes) {
  std::sort(changes.begin(), changes.end(), [](const Change& a, const Change& b) {
    // Compare component-wise so that "a/b" sorts right after "a", before "a-b".
    return std::lexicographical_compare(a.path.begin(), a.path.end(), b.path.begin(), b.path.end(),
                                        [](char x, char y) {
                                          if (x == '/' || y == '/')
                                            return x == '/' && y != '/';
                                          return x < y;
                                        });
  });
}

} // namespace

Result<std::vector<Change>> overlay_diff(const fs::path& upper,
                                         const std::vector<fs::path>& lowers) {
  std::vector<Change> out;
  TRY_VOID(walk_upper(upper, "", lowers, false, out));
  return out;
}

Result<std::vector<Change>> tree_diff(const fs::path& old_root, const fs::path& new_root) {
  std::vector<Change> out;
  if (old_root.empty())
    TRY_VOID(add_all(new_root, "", out));
  else
    TRY_VOID(compare_dirs(old_root, new_root, "", out));
  sort_changes(out);
  return out;
}

} // namespace xbuild::engine::snapshot
