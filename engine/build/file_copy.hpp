#pragma once
// COPY/ADD file semantics, as Docker defines them:
//  - sources are paths or globs relative to the source root (the build
//    context or another stage's filesystem); they can never leave it;
//  - a directory source copies its *contents*; a file copied to a
//    destination ending in "/" (or with several sources) keeps its name;
//  - the destination is resolved inside the target root with symlinks
//    followed as if the root were "/", so an image's /bin → usr/bin works
//    and nothing is written outside the root;
//  - ownership is 0:0 for context files (BuildKit) unless --chown says
//    otherwise, and kept for --from copies; --chmod sets every entry's mode.
// The content digest of what a COPY reads (path, type, mode, size, content,
// symlink target; never mtime) keys the cache.

#include <filesystem>
#include <optional>
#include <string>
#include <sys/stat.h>
#include <vector>

#include "engine/dockerfile/chmod.hpp"
#include "engine/dockerfile/dockerignore.hpp"
#include "util/error.hpp"

namespace xbuild::engine::build {

namespace fs = std::filesystem;

// `rel` resolved inside `root` (symlinks followed within the root). The
// final component is resolved too when `follow_last`.
Result<fs::path> resolve_in_root(const fs::path& root, std::string_view rel, bool follow_last);

// Expands `pattern` (a path or glob, relative to `root`) into the matching
// relative paths, sorted. No match is an error naming the pattern.
Result<std::vector<std::string>> match_sources(const fs::path& root, std::string_view pattern,
                                               const dockerfile::IgnoreMatcher* ignore);

class ContextDigests;

// sha256 over every entry under the given relative paths (recursively):
// path, mode, size, symlink target, and each regular file's own sha256
// (from `digests` when it remembers the file unchanged), leaving out what
// `ignore` (relative to `root`) and `exclude` (COPY --exclude, relative to
// each path, as in CopyOptions) leave out of a copy.
Result<std::string> content_digest(const fs::path& root, const std::vector<std::string>& rel_paths,
                                   const dockerfile::IgnoreMatcher* ignore,
                                   const dockerfile::IgnoreMatcher* exclude = nullptr,
                                   ContextDigests* digests = nullptr);

// Lets a copy take a regular file from an earlier copy of the same source
// instead of writing it again (engine/build/copy_reuse.hpp).
class FileReuse {
public:
  virtual ~FileReuse() = default;
  // Creates `dst` from an earlier copy of the source whose lstat() is
  // `src_st`, with this owner and mode; false when there is none to take.
  virtual bool reuse(const fs::path& dst, const struct stat& src_st, unsigned uid, unsigned gid,
                     unsigned mode) = 0;
  // `dst` was just written from the source whose lstat() is `src_st`.
  virtual void copied(const fs::path& dst, const struct stat& src_st) = 0;
};

struct CopyOptions {
  std::optional<unsigned> uid, gid; // unset: keep the source's owner
  std::optional<dockerfile::ChmodSpec> mode; // --chmod, octal or symbolic
  const dockerfile::IgnoreMatcher* ignore = nullptr;
  // COPY --exclude patterns, matched against paths relative to each source
  // (BuildKit), not to the context root like .dockerignore.
  const dockerfile::IgnoreMatcher* exclude = nullptr;
  FileReuse* reuse = nullptr;
};

// One source of a COPY, resolved: the entry read (a source symlink
// followed) and the path it becomes, inside the destination root with
// symlinks already resolved.
struct CopyItem {
  fs::path src;
  std::string rel; // the source, relative to the source root
  fs::path dst;
  bool src_is_dir = false;
};

// Resolves where each of `sources` goes under `dest` (absolute path inside
// `dest_root`), creating the destination's parent directories.
Result<std::vector<CopyItem>> plan_copy(const fs::path& src_root,
                                        const std::vector<std::string>& sources,
                                        const fs::path& dest_root, const std::string& dest);

// Copies planned items with the rules above.
Result<void> copy_items(const std::vector<CopyItem>& items, const CopyOptions& options);

// Copies `sources` (relative to `src_root`) to `dest` (absolute path inside
// `dest_root`) with the rules above: plan_copy() then copy_items().
Result<void> copy_sources(const fs::path& src_root, const std::vector<std::string>& sources,
                          const fs::path& dest_root, const std::string& dest,
                          const CopyOptions& options);

} // namespace xbuild::engine::build
