#pragma once
// File-tree operations the snapshotter needs that std::filesystem does not
// offer: copies that keep owners, modes, times, xattrs, device nodes and hard
// links, and removal that copes with read-only directories.

#include <filesystem>
#include <string>
#include <sys/stat.h>

#include "util/error.hpp"

namespace xbuild::engine::snapshot {

// Copies mode, owner, atime/mtime and xattrs (except overlay's private
// trusted.overlay.*) of `src` onto the existing `dst`, without following
// symlinks.
Result<void> copy_metadata(const std::filesystem::path& src, const std::filesystem::path& dst,
                           const struct stat& st);

// Creates `dst` as a copy of the single entry `src` (file contents, symlink
// target, device numbers, or an empty directory) with its metadata.
// `link_files` hard-links regular files instead of copying them, falling back
// to a copy across filesystems.
enum class FileCopy { copy, hard_link };
Result<void> copy_entry(const std::filesystem::path& src, const std::filesystem::path& dst,
                        FileCopy mode);

// Copies the whole tree under `src` into the existing directory `dst`,
// preserving hard links within the tree. Directory times are set last so
// creating children does not disturb them.
Result<void> copy_tree(const std::filesystem::path& src, const std::filesystem::path& dst);

// Overlay's whiteout: a character device with device number 0/0.
bool is_whiteout(const struct stat& st);

// The value of xattr `name` on `path` (not following symlinks), "" if unset.
std::string get_xattr(const std::filesystem::path& path, const char* name);

// rm -rf that also works when directories lack write permission.
Result<void> remove_tree(const std::filesystem::path& path);

} // namespace xbuild::engine::snapshot
