#pragma once
// Everything the embedded engine keeps on disk for one builder, opened
// together:
//   <root>/content/      blobs by digest (oci::ContentStore)
//   <root>/snapshots/    root filesystem layers (snapshot::Snapshotter)
//   <root>/cache.db      cache key → result ref (cache::CacheIndex)
//   <root>/layers/<hex>  for each ref: its parent ref and its layer blob
//   <root>/mounts/<id>   RUN --mount=type=cache directories
// A ref is the chain id of its layer stack ("sha256:…"), so identical stacks
// made by different steps, builds or processes are one ref.

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "engine/cache/cache_index.hpp"
#include "engine/snapshot/snapshotter.hpp"
#include "oci/content_store.hpp"
#include "oci/descriptor.hpp"

namespace xbuild::engine::build {

// One layer of a ref's stack. Invariant: `ref` = chain_id(parent, diff_id).
struct LayerRecord {
  std::string ref;
  std::string parent;           // "" for the bottom layer
  oci::Descriptor blob;         // compressed layer in the content store
  oci::Digest diff_id;          // digest of the uncompressed tar
  int64_t uncompressed_size = 0;
  // Extracted from a base image's blob (LayerOp), not made by a build step:
  // `prune` keeps these unless --all.
  bool from_image = false;
};

// chain_id(L1) = diff_id(L1); chain_id(Ln) = sha256(chain_id(Ln-1) + " " + diff_id(Ln)).
std::string chain_id(const std::string& parent, const oci::Digest& diff_id);

class EngineState {
public:
  static Result<std::unique_ptr<EngineState>> open(const std::filesystem::path& root);

  const std::filesystem::path& root() const { return m_root; }
  oci::ContentStore& content() { return *m_content; }
  snapshot::Snapshotter& snapshots() { return *m_snapshots; }
  cache::CacheIndex& cache() { return *m_cache; }
  std::filesystem::path cache_mount_dir(const std::string& id) const;

  Result<void> put_layer(const LayerRecord& record);
  Result<std::optional<LayerRecord>> layer(const std::string& ref) const;
  // Deletes the record of `ref` (prune, once its snapshot is gone).
  Result<void> remove_layer(const std::string& ref);
  // Refs that have a layer record, unordered.
  std::vector<std::string> layer_refs() const;
  // The stack of `ref`, bottom layer first; empty for "" (scratch).
  Result<std::vector<LayerRecord>> stack(const std::string& ref) const;

private:
  EngineState() = default;
  std::filesystem::path m_root;
  std::unique_ptr<oci::ContentStore> m_content;
  std::unique_ptr<snapshot::Snapshotter> m_snapshots;
  std::unique_ptr<cache::CacheIndex> m_cache;
};

} // namespace xbuild::engine::build
