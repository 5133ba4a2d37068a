#include "engine/snapshot/change.hpp"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <set>
#include <sys/stat.h>

#include "engine/snapshot/fs_ops.hpp"

namespace xbuild::engine::snapshot {
namespace fs = std::filesystem;

std::string dump(const std::vector<Change>& changes) {
  std::string out;
  for (const auto& c : changes) {
    out += c.kind == ChangeKind::added ? "A" : c.kind == ChangeKind::modified ? "M" : "D";
    out += c.opaque ? "+opq " : " ";
    out += c.path + "\n";
  }
  return out;
}

std::vector<std::string> deleted_paths(const std::vector<Change>& changes) {
  std::vector<std::string> out;
  for (const auto& c : changes)
    if (c.kind == ChangeKind::deleted)
      out.push_back(c.path);
  return out;
}

std::vector<std::string> opaque_dirs(const std::vector<Change>& changes) {
  std::vector<std::string> out;
  for (const auto& c : changes)
    if (c.opaque && c.kind != ChangeKind::deleted)
      out.push_back(c.path);
  return out;
}

namespace {

// Creates the parents of `rel` in `dest` that are not there yet, each with
// the metadata of its counterpart in `source_root` (a tar needs the parent
// directories' real modes and owners, as containerd's ChangeWriter writes).
Result<void> ensure_parents(const std::string& rel, const fs::path& source_root,
                            const fs::path& dest, std::set<std::string>& made) {
  for (size_t pos = rel.find('/'); pos != std::string::npos; pos = rel.find('/', pos + 1)) {
    std::string parent = rel.substr(0, pos);
    if (!made.insert(parent).second)
      continue;
    TRY_VOID(copy_entry(source_root / parent, dest / parent, FileCopy::hard_link));
  }
  return {};
}

} // namespace

Result<void> stage_changes(const std::vector<Change>& changes, const fs::path& source_root,
                           const fs::path& dest) {
  std::error_code ec;
  fs::create_directories(dest, ec);
  if (ec)
    return fail("cannot create " + dest.string() + ": " + ec.message());
  std::set<std::string> made;
  for (const auto& c : changes) {
    if (c.kind == ChangeKind::deleted)
      continue;
    TRY_VOID(ensure_parents(c.path, source_root, dest, made));
    if (!made.insert(c.path).second)
      continue;
    TRY_VOID(copy_entry(source_root / c.path, dest / c.path, FileCopy::hard_link));
  }
  // Creating children touched the directories' mtimes; restore them.
  for (auto it = made.rbegin(); it != made.rend(); ++it) {
    struct stat st {};
    fs::path src = source_root / *it;
    if (::lstat(src.c_str(), &st) == 0 && S_ISDIR(st.st_mode)) {
      timespec times[2] = {st.st_atim, st.st_mtim};
      ::utimensat(AT_FDCWD, (dest / *it).c_str(), times, AT_SYMLINK_NOFOLLOW);
    }
  }
  return {};
}

} // namespace xbuild::engine::snapshot
