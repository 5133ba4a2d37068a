#pragma once
// Layer tarballs: creating them from a directory tree and extracting them
// safely into a root filesystem.
//
// Creation is deterministic: entries in byte-wise sorted path order, PAX
// format, no user/group names, no atime/ctime, mtimes truncated to seconds
// (and replaced by a fixed value when asked, like SOURCE_DATE_EPOCH), hard
// links recorded once, xattrs as SCHILY.xattr PAX records. The same tree and
// options always give the same bytes, hence the same digest.
//
// Extraction never writes outside the target: entry names that are absolute
// or contain "..", hard links that point outside, and any path that would
// pass through a symlink leading out of the target are refused with an error
// naming the entry. Whiteouts (".wh.<name>", ".wh..wh..opq") are applied as
// deletions, as overlay snapshotters do.

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "oci/content_store.hpp"
#include "oci/descriptor.hpp"
#include "oci/digest.hpp"
#include "oci/media_types.hpp"
#include "util/error.hpp"

namespace xbuild::oci {

namespace fs = std::filesystem;

inline constexpr std::string_view k_whiteout_prefix = ".wh.";
inline constexpr std::string_view k_opaque_whiteout = ".wh..wh..opq";

struct LayerWriteOptions {
  Compression compression = Compression::gzip;
  int level = -1; // compressor level, -1 = default
  // Replaces every entry's mtime (seconds since the epoch) when set.
  std::optional<int64_t> fixed_mtime;
  bool xattrs = true;
  // Deletions this layer records (relative paths, '/' separated): each
  // becomes a ".wh.<name>" entry; each opaque dir gets ".wh..wh..opq".
  std::vector<std::string> whiteouts;
  std::vector<std::string> opaque_dirs;
  // `dir` is an overlayfs upper directory: its whiteouts (0/0 character
  // devices) and overlay's own xattrs (trusted.overlay.*, user.overlay.*)
  // are bookkeeping, not content, and are left out; deletions and opaque
  // directories come from `whiteouts` and `opaque_dirs` instead.
  bool overlay_upper = false;
};

// What was written: the digest/size of the (compressed) blob and the diff id
// (digest of the uncompressed tar) for the image config.
struct LayerInfo {
  Digest digest;
  int64_t size = 0;
  Digest diff_id;
  int64_t uncompressed_size = 0;
  Compression compression = Compression::none;
};

// Writes a layer of everything under `dir` (not `dir` itself) to `sink`.
Result<LayerInfo> write_layer(const fs::path& dir, const WriteFn& sink,
                              const LayerWriteOptions& options);

// Writes a layer of `dir` straight into `store` (streamed, never buffered
// whole) and returns its descriptor (media type for `family`) and info.
struct StoredLayer {
  Descriptor descriptor;
  LayerInfo info;
};
Result<StoredLayer> store_layer(ContentStore& store, const fs::path& dir,
                                const LayerWriteOptions& options,
                                MediaFamily family = MediaFamily::oci);

struct ExtractOptions {
  // chown entries to their uid/gid (only effective when running as root).
  bool same_owner = true;
  bool xattrs = true;
  // Apply whiteouts as deletions (a rootfs); false = refuse them.
  bool apply_whiteouts = true;
};

struct ExtractStats {
  int64_t entries = 0;
  int64_t bytes = 0;     // regular file content written
  int64_t whiteouts = 0; // deletions applied
  int64_t skipped = 0;   // device nodes skipped when not root
};

// Extracts a tar (uncompressed, gzip or zstd: detected) read from `source`
// into `target` (created if missing). `what` names the layer in messages.
Result<ExtractStats> extract_layer(const ReadFn& source, const fs::path& target,
                                   const ExtractOptions& options, const std::string& what);
Result<ExtractStats> extract_layer_file(const fs::path& tar, const fs::path& target,
                                        const ExtractOptions& options);

} // namespace xbuild::oci
