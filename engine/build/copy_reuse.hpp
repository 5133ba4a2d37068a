#pragma once
// Rebuilding a COPY after a few context files changed. Each COPY from the
// build context records, next to its result, the stat signature of the
// source of every file it wrote; the next run of the same COPY (same
// context directory, same definition) hard-links every file whose source
// still has that signature — and whose owner and mode are what this run
// asks for — from the earlier result's layer directory instead of writing
// it again. Layer directories are immutable once committed and overlayfs
// never writes to a lower layer, so sharing inodes between them is safe;
// the new layer's content is byte for byte what a fresh copy would give.
//
// With 20,000 files and one changed, this turns 20,000 file creations into
// 19,999 link() calls: no new inodes, no data written.
//
// Records live in <state>/copy-reuse/<sha256(context dir, definition)>:
// the result's snapshot name, then "signature<TAB>path" lines. A missing
// or pruned earlier result just means everything is copied.

#include <filesystem>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "engine/build/file_copy.hpp"
#include "engine/build/state.hpp"

namespace xbuild::engine::build {

class CopyReuse : public FileReuse {
public:
  // The record of the last result of the COPY identified by `key`.
  static CopyReuse load(EngineState& state, const std::string& key);

  // The root the copy writes into (an overlay upper directory).
  void set_dest_root(std::filesystem::path root) { m_dest_root = std::move(root); }

  bool reuse(const std::filesystem::path& dst, const struct stat& src_st, unsigned uid,
             unsigned gid, unsigned mode) override;
  void copied(const std::filesystem::path& dst, const struct stat& src_st) override;

  // How many files were linked rather than copied (for logs and tests).
  size_t linked() const { return m_linked; }

  // Records this run's result, committed as snapshot `name`, for the next run.
  Result<void> save(const std::string& name) const;

  // Deletes the records whose result snapshot no longer exists (prune);
  // returns how many.
  static size_t forget_missing(EngineState& state);

private:
  CopyReuse(EngineState& state, std::filesystem::path record) : m_state(&state), m_record(std::move(record)) {}
  std::string rel_of(const std::filesystem::path& dst) const;

  EngineState* m_state;
  std::filesystem::path m_record;
  std::filesystem::path m_prev_dir; // the earlier result's layer directory ("" = none)
  std::unordered_map<std::string, std::string> m_prev; // path → source signature
  std::filesystem::path m_dest_root;
  std::vector<std::pair<std::string, std::string>> m_now; // path, source signature
  size_t m_linked = 0;
};

} // namespace xbuild::engine::build
