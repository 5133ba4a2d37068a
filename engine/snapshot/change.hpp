#pragma once
// A layer diff as a list of changes, the form both differs produce and the
// layer-tar writer consumes. Paths are relative to the rootfs, '/'-separated,
// without a leading slash ("etc/passwd"), sorted so that a directory comes
// before everything inside it.

#include <filesystem>
#include <string>
#include <vector>

#include "util/error.hpp"

namespace xbuild::engine::snapshot {

enum class ChangeKind { added, modified, deleted };

struct Change {
  ChangeKind kind = ChangeKind::added;
  std::string path;
  // Directories only: everything below that came from lower layers is hidden
  // (overlay's opaque directory; a tar records it as "<dir>/.wh..wh..opq").
  bool opaque = false;

  bool operator==(const Change&) const = default;
};

// "A etc/passwd", "M usr", "D tmp/x", "M+opq var/cache": for logs and tests.
std::string dump(const std::vector<Change>& changes);

// The deleted paths (each becomes a ".wh.<name>" tar entry).
std::vector<std::string> deleted_paths(const std::vector<Change>& changes);
// The opaque directories (each gets a ".wh..wh..opq" tar entry).
std::vector<std::string> opaque_dirs(const std::vector<Change>& changes);

// Builds in `dest` a tree holding exactly the added and modified entries
// (and their parent directories), taken from `source_root` — the overlay
// upper dir or the new tree — with modes, owners, times and xattrs kept.
// Regular files are hard-linked when `dest` is on the same filesystem and
// copied otherwise. The result plus deleted_paths()/opaque_dirs() is what
// oci::write_layer needs to produce the layer tar.
Result<void> stage_changes(const std::vector<Change>& changes,
                           const std::filesystem::path& source_root,
                           const std::filesystem::path& dest);

} // namespace xbuild::engine::snapshot
