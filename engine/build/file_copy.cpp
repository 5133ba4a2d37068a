#include "engine/build/file_copy.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <fnmatch.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include "engine/build/context_digests.hpp"
#include "util/sha256.hpp"
#include "util/strings.hpp"

namespace xbuild::engine::build {
namespace {

std::string errno_text() { return std::strerror(errno); }

bool has_glob(std::string_view s) { return s.find_first_of("*?[") != std::string_view::npos; }

// Splits a cleaned relative path into components.
std::vector<std::string> components(std::string_view rel) {
  std::vector<std::string> out;
  for (auto& c : util::split(util::clean_path(rel), '/'))
    if (!c.empty() && c != ".")
      out.push_back(c);
  return out;
}

// Creates `dst` with `src`'s bytes and the given owner, mode and times, all
// through one file descriptor: every path lookup counts when `dst` is on an
// overlay mount and a COPY writes thousands of files.
Result<void> copy_file_data(const fs::path& src, const fs::path& dst, mode_t mode, uid_t uid,
                            gid_t gid, const struct stat& src_st) {
  int in = ::open(src.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (in < 0)
    return fail("cannot read " + src.string() + ": " + errno_text());
  constexpr int k_create = O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW;
  int out = ::open(dst.c_str(), k_create, mode & 07777);
  if (out < 0 && errno == EEXIST) { // replacing an entry: never write through a link
    ::unlink(dst.c_str());
    out = ::open(dst.c_str(), k_create, mode & 07777);
  }
  if (out < 0) {
    std::string err = errno_text();
    ::close(in);
    return fail("cannot write " + dst.string() + ": " + err);
  }
  char buf[1 << 16];
  ssize_t n;
  while ((n = ::read(in, buf, sizeof buf)) > 0) {
    for (ssize_t off = 0; off < n;) {
      ssize_t w = ::write(out, buf + off, static_cast<size_t>(n - off));
      if (w < 0) {
        std::string err = errno_text();
        ::close(in);
        ::close(out);
        return fail("cannot write " + dst.string() + ": " + err);
      }
      off += w;
    }
  }
  int read_errno = n < 0 ? errno : 0;
  ::close(in);
  if (read_errno != 0) {
    ::close(out);
    return fail("cannot read " + src.string() + ": " + std::strerror(read_errno));
  }
  if (::fchown(out, uid, gid) != 0 && ::geteuid() == 0) {
    std::string err = errno_text();
    ::close(out);
    return fail("cannot chown " + dst.string() + ": " + err);
  }
  ::fchmod(out, mode & 07777); // the umask narrowed the mode open() applied
  timespec times[2] = {src_st.st_atim, src_st.st_mtim};
  ::futimens(out, times);
  ::close(out);
  return {};
}

struct Copier {
  const CopyOptions& opts;
  std::string source; // the source being copied, relative to the source root

  bool excluded_by_flag(const std::string& rel, bool is_dir) const {
    if (!opts.exclude)
      return false;
    std::string below;
    if (rel == source)
      below = is_dir ? "" : fs::path(rel).filename().string();
    else if (source.empty())
      below = rel;
    else if (rel.starts_with(source + "/"))
      below = rel.substr(source.size() + 1);
    return !below.empty() && opts.exclude->excluded(below);
  }

  Result<void> entry(const fs::path& src, const fs::path& dst, const std::string& rel) {
    if (opts.ignore && !rel.empty() && opts.ignore->excluded(rel))
      return excluded_dir(src, dst, rel);
    if (excluded_by_flag(rel, fs::is_directory(fs::symlink_status(src))))
      return {};
    struct stat st {};
    if (::lstat(src.c_str(), &st) != 0)
      return fail("cannot stat " + src.string() + ": " + errno_text());
    mode_t mode = opts.mode ? static_cast<mode_t>(dockerfile::apply_chmod(
                                  *opts.mode, st.st_mode & 07777, S_ISDIR(st.st_mode)))
                            : (st.st_mode & 07777);
    bool kept_root = false;
    if (S_ISDIR(st.st_mode)) {
      struct stat dst_st {};
      // BuildKit copies a directory's contents into an existing destination
      // without touching that destination's own owner, mode or times
      // (`COPY app/ /usr/local/` must not chmod /usr/local).
      kept_root = rel == source && ::lstat(dst.c_str(), &dst_st) == 0 && S_ISDIR(dst_st.st_mode);
      if (::lstat(dst.c_str(), &dst_st) != 0) {
        if (::mkdir(dst.c_str(), mode) != 0)
          return fail("cannot create directory " + dst.string() + ": " + errno_text());
      } else if (!S_ISDIR(dst_st.st_mode)) {
        return fail("cannot copy directory over " + dst.string() + ": not a directory");
      }
      std::vector<std::string> names;
      std::error_code ec;
      for (const auto& e : fs::directory_iterator(src, ec))
        names.push_back(e.path().filename().string());
      std::sort(names.begin(), names.end());
      for (const auto& n : names)
        TRY_VOID(entry(src / n, dst / n, rel.empty() ? n : rel + "/" + n));
    } else if (S_ISLNK(st.st_mode)) {
      std::error_code ec;
      auto target = fs::read_symlink(src, ec);
      fs::remove(dst, ec);
      if (::symlink(target.c_str(), dst.c_str()) != 0)
        return fail("cannot create symlink " + dst.string() + ": " + errno_text());
    } else if (S_ISREG(st.st_mode)) {
      unsigned uid = opts.uid.value_or(st.st_uid), gid = opts.gid.value_or(st.st_gid);
      if (opts.reuse && opts.reuse->reuse(dst, st, uid, gid, mode))
        return {};
      TRY_VOID(copy_file_data(src, dst, mode, uid, gid, st));
      if (opts.reuse)
        opts.reuse->copied(dst, st);
      return {};
    } else {
      return {}; // sockets, fifos and devices are not copied from a context
    }
    if (kept_root)
      return {};
    unsigned uid = opts.uid.value_or(st.st_uid), gid = opts.gid.value_or(st.st_gid);
    if (::lchown(dst.c_str(), uid, gid) != 0 && ::geteuid() == 0)
      return fail("cannot chown " + dst.string() + ": " + errno_text());
    if (!S_ISLNK(st.st_mode))
      ::chmod(dst.c_str(), mode);
    timespec times[2] = {st.st_atim, st.st_mtim};
    ::utimensat(AT_FDCWD, dst.c_str(), times, AT_SYMLINK_NOFOLLOW);
    return {};
  }

  // An excluded directory can still hold paths a `!` pattern re-includes
  // (`logs/` then `!logs/keep.log`): Docker walks into it and sends those,
  // with the directories above them. Copy it, then drop it if nothing
  // inside was included.
  Result<void> excluded_dir(const fs::path& src, const fs::path& dst, const std::string& rel) {
    std::error_code ec;
    if (!opts.ignore->has_exceptions() || !fs::is_directory(fs::symlink_status(src, ec)) ||
        fs::exists(fs::symlink_status(dst, ec)))
      return {};
    std::vector<std::string> names;
    for (const auto& e : fs::directory_iterator(src, ec))
      names.push_back(e.path().filename().string());
    std::sort(names.begin(), names.end());
    if (::mkdir(dst.c_str(), 0755) != 0)
      return fail("cannot create directory " + dst.string() + ": " + errno_text());
    for (const auto& n : names)
      TRY_VOID(entry(src / n, dst / n, rel + "/" + n));
    if (fs::is_empty(dst, ec)) {
      fs::remove(dst, ec);
      return {};
    }
    struct stat st {};
    if (::lstat(src.c_str(), &st) == 0) {
      mode_t mode = opts.mode ? static_cast<mode_t>(dockerfile::apply_chmod(*opts.mode, st.st_mode & 07777, true))
                              : (st.st_mode & 07777);
      [[maybe_unused]] int rc = ::lchown(dst.c_str(), opts.uid.value_or(st.st_uid), opts.gid.value_or(st.st_gid));
      ::chmod(dst.c_str(), mode);
    }
    return {};
  }
};

// What a COPY --exclude pattern is matched against, as Copier::excluded_by_flag
// does: the path below the COPY source; the source itself by its file name
// when it is a file, never when it is a directory ("" = not matchable).
std::string below_child(const std::string& below, const std::string& name) {
  return below.empty() ? name : below + "/" + name;
}

struct Hasher {
  util::Sha256& h;
  const fs::path& root;
  const dockerfile::IgnoreMatcher* ignore;
  const dockerfile::IgnoreMatcher* exclude; // COPY --exclude, relative to the source
  ContextDigests* digests;                  // remembered file digests, or null

  // `rel`: the entry relative to `root` (what .dockerignore sees); `below`:
  // its path relative to the COPY source (what --exclude sees).
  void entry(const std::string& rel, const std::string& below) {
    if (ignore && ignore->excluded(rel)) {
      // Mirror Copier::excluded_dir: re-included paths below still count.
      std::error_code ec;
      fs::path d = root / rel;
      if (!ignore->has_exceptions() || !fs::is_directory(fs::symlink_status(d, ec)))
        return;
      for (const auto& n : sorted_names(d))
        entry(rel + "/" + n, below_child(below, n));
      return;
    }
    if (exclude && !below.empty() && exclude->excluded(below))
      return; // Copier skips it, and everything below it
    fs::path p = root / rel;
    struct stat st {};
    if (::lstat(p.c_str(), &st) != 0)
      return;
    std::string header =
        rel + "\n" + std::to_string(st.st_mode) + "\n" + std::to_string(st.st_size);
    h.update(std::to_string(header.size()) + ":" + header);
    if (S_ISLNK(st.st_mode)) {
      std::error_code ec;
      h.update("L" + fs::read_symlink(p, ec).string());
    } else if (S_ISREG(st.st_mode)) {
      // The file's own digest: remembered ones spare reading the file.
      auto d = digests ? digests->file_digest(p, st) : sha256_of_file(p);
      h.update(d ? "C" + *d : "E" + d.error().message);
    } else if (S_ISDIR(st.st_mode)) {
      for (const auto& n : sorted_names(p))
        entry(rel.empty() ? n : rel + "/" + n, below_child(below, n));
    }
  }

  static std::vector<std::string> sorted_names(const fs::path& dir) {
    std::vector<std::string> names;
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(dir, ec))
      names.push_back(e.path().filename().string());
    std::sort(names.begin(), names.end());
    return names;
  }
};

} // namespace

Result<fs::path> resolve_in_root(const fs::path& root, std::string_view rel, bool follow_last) {
  std::vector<std::string> todo = components(rel);
  std::reverse(todo.begin(), todo.end());
  std::vector<std::string> done;
  int hops = 0;
  while (!todo.empty()) {
    std::string c = todo.back();
    todo.pop_back();
    if (c == "..") {
      if (!done.empty())
        done.pop_back();
      continue;
    }
    fs::path cur = root;
    for (const auto& d : done)
      cur /= d;
    cur /= c;
    struct stat st {};
    bool last = todo.empty();
    if (::lstat(cur.c_str(), &st) == 0 && S_ISLNK(st.st_mode) && (!last || follow_last)) {
      if (++hops > 40)
        return fail("too many levels of symbolic links resolving /" + std::string(rel));
      std::error_code ec;
      std::string target = fs::read_symlink(cur, ec).string();
      if (!target.empty() && target[0] == '/')
        done.clear(); // absolute targets are relative to the root
      auto parts = components(target);
      for (auto it = parts.rbegin(); it != parts.rend(); ++it)
        todo.push_back(*it);
      continue;
    }
    done.push_back(c);
  }
  fs::path out = root;
  for (const auto& d : done)
    out /= d;
  return out;
}

Result<std::vector<std::string>> match_sources(const fs::path& root, std::string_view pattern,
                                               const dockerfile::IgnoreMatcher* ignore) {
  auto parts = components(pattern);
  if (!parts.empty() && parts.front() == "..")
    return fail("source " + std::string(pattern) + " is outside the build context");
  std::vector<std::string> matches = {""};
  for (const auto& part : parts) {
    std::vector<std::string> next;
    for (const auto& base : matches) {
      fs::path dir = base.empty() ? root : root / base;
      if (!has_glob(part)) {
        std::error_code ec;
        if (fs::symlink_status(dir / part, ec).type() != fs::file_type::not_found)
          next.push_back(base.empty() ? part : base + "/" + part);
        continue;
      }
      std::error_code ec;
      for (const auto& e : fs::directory_iterator(dir, ec)) {
        std::string name = e.path().filename().string();
        if (::fnmatch(part.c_str(), name.c_str(), FNM_PERIOD) == 0)
          next.push_back(base.empty() ? name : base + "/" + name);
      }
    }
    matches = std::move(next);
  }
  std::erase_if(matches, [&](const std::string& m) { return ignore && !m.empty() && ignore->excluded(m); });
  std::sort(matches.begin(), matches.end());
  if (matches.empty())
    return fail("failed to compute cache key: \"/" + util::clean_path(pattern) +
                "\": not found (check the path, and that .dockerignore does not exclude it)");
  return matches;
}

Result<std::string> content_digest(const fs::path& root, const std::vector<std::string>& rel_paths,
                                   const dockerfile::IgnoreMatcher* ignore,
                                   const dockerfile::IgnoreMatcher* exclude,
                                   ContextDigests* digests) {
  util::Sha256 h;
  Hasher hasher{h, root, ignore, exclude, digests};
  for (const auto& rel : rel_paths) {
    // The source itself is matched by its name only when it is a file
    // (followed if it is a symlink, as copy_sources does).
    std::error_code ec;
    auto resolved = resolve_in_root(root, rel, true);
    bool is_dir = resolved && fs::is_directory(fs::symlink_status(*resolved, ec));
    std::string below = is_dir ? "" : fs::path(rel).filename().string();
    hasher.entry(rel, below);
    // copy_sources follows a source that is a symlink: its target's
    // content is what gets copied, so it keys the cache too.
    if (resolved && fs::is_symlink(fs::symlink_status(root / rel, ec)))
      hasher.entry(resolved->lexically_relative(root).string(), below);
  }
  return "sha256:" + h.hex_digest();
}

Result<std::vector<CopyItem>> plan_copy(const fs::path& src_root,
                                        const std::vector<std::string>& sources,
                                        const fs::path& dest_root, const std::string& dest) {
  bool dest_is_dir = dest.ends_with("/") || sources.size() > 1;
  if (!dest_is_dir) {
    struct stat st {};
    auto resolved = TRY(resolve_in_root(dest_root, dest, true));
    dest_is_dir = ::stat(resolved.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
  }
  std::vector<CopyItem> items;
  for (const auto& rel : sources) {
    fs::path src = rel.empty() ? src_root : src_root / rel;
    struct stat st {};
    if (::lstat(src.c_str(), &st) != 0)
      return fail("cannot read source " + rel + ": " + errno_text());
    // A source path that is itself a symlink is followed (inside the source
    // root), as BuildKit's COPY does (FollowSymlinks); links below it are
    // copied as links.
    if (S_ISLNK(st.st_mode)) {
      src = TRY(resolve_in_root(src_root, rel, true));
      if (::lstat(src.c_str(), &st) != 0)
        return fail("cannot read source " + rel + ": the symlink's target does not exist");
    }
    bool src_dir = S_ISDIR(st.st_mode);
    std::string target = dest;
    if (!src_dir && dest_is_dir)
      target = dest + "/" + fs::path(rel).filename().string();
    auto parent = TRY(resolve_in_root(dest_root, fs::path(target).parent_path().string(), true));
    std::error_code ec;
    fs::create_directories(parent, ec);
    if (ec)
      return fail("cannot create " + fs::path(target).parent_path().string() + ": " + ec.message());
    auto final_path = src_dir ? TRY(resolve_in_root(dest_root, target, true))
                              : parent / fs::path(target).filename();
    items.push_back({std::move(src), rel, std::move(final_path), src_dir});
  }
  return items;
}

Result<void> copy_items(const std::vector<CopyItem>& items, const CopyOptions& options) {
  Copier copier{options, {}};
  for (const auto& item : items) {
    copier.source = item.rel;
    TRY_VOID(copier.entry(item.src, item.dst, item.rel));
  }
  return {};
}

Result<void> copy_sources(const fs::path& src_root, const std::vector<std::string>& sources,
                          const fs::path& dest_root, const std::string& dest,
                          const CopyOptions& options) {
  return copy_items(TRY(plan_copy(src_root, sources, dest_root, dest)), options);
}

} // namespace xbuild::engine::build
