#pragma once
// Computing what a RUN (or any step) changed in a root filesystem.
//
// Two differs, one result type (change.hpp):
//
// * overlay_diff reads only the overlay *upper* directory, the way BuildKit's
//   overlay differ does: whatever the step touched is there and nothing
//   else, so the cost is proportional to the change, not to the image. A
//   character device 0/0 is a deletion; a directory with the xattr
//   trusted.overlay.opaque (or user.overlay.opaque) = "y" hides everything
//   below it in the lower layers. Whether an upper entry is an addition or a
//   modification is decided by looking the path up in the lower layers
//   (honouring their own whiteouts and opaque directories). A directory
//   that overlay merely copied up (same mode, owner and mtime as below) is
//   not itself a change; only its changed children are. Renamed
//   directories recorded with trusted.overlay.redirect are refused: the
//   snapshotter mounts with redirect_dir=off so the kernel copies instead.
//
// * tree_diff walks the old and new trees side by side (sorted names), for
//   the copy-based fallback. An entry only in the new tree is added (and
//   everything below it); only in the old, deleted (just the top); in both,
//   modified when type, mode, owner, size, mtime, device number or symlink
//   target differ. When all of that is equal but the mtime has no sub-second
//   part (a filesystem or tool that truncates times), the contents are
//   compared, since a same-second rewrite of the same size would otherwise
//   be missed. A directory whose type changed is marked opaque.

#include <filesystem>
#include <vector>

#include "engine/snapshot/change.hpp"
#include "util/error.hpp"

namespace xbuild::engine::snapshot {

// `lowers`: the parent chain's layer directories, topmost first.
Result<std::vector<Change>> overlay_diff(const std::filesystem::path& upper,
                                         const std::vector<std::filesystem::path>& lowers);

// `old_root` may be empty (no parent): everything in `new_root` is added.
Result<std::vector<Change>> tree_diff(const std::filesystem::path& old_root,
                                      const std::filesystem::path& new_root);

} // namespace xbuild::engine::snapshot
