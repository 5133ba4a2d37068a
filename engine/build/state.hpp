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
//
// A ref may have a layer record but no snapshot yet: base-image layers are
// lazy (docs/dev/snapshots.md, "Lazy base layers"). Whatever needs a ref's
// root filesystem calls ensure_snapshot(); whatever needs a layer's bytes
// calls ensure_blob().

#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "engine/build/blob_origins.hpp"
#include "engine/build/context_digests.hpp"
#include "engine/cache/cache_index.hpp"
#include "engine/snapshot/snapshotter.hpp"
#include "oci/content_store.hpp"
#include "oci/descriptor.hpp"

namespace xbuild::engine {
class ProgressSink;
}

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
  ContextDigests& context_digests() { return *m_digests; }
  std::filesystem::path cache_mount_dir(const std::string& id) const;

  Result<void> put_layer(const LayerRecord& record);
  Result<std::optional<LayerRecord>> layer(const std::string& ref) const;
  // Deletes the record of `ref` (prune, once its snapshot is gone).
  Result<void> remove_layer(const std::string& ref);
  // Refs that have a layer record, unordered.
  std::vector<std::string> layer_refs() const;
  // The stack of `ref`, bottom layer first; empty for "" (scratch).
  Result<std::vector<LayerRecord>> stack(const std::string& ref) const;
  // When the record of `ref` was written (unix seconds; 0 if none).
  int64_t layer_time(const std::string& ref) const;

  // This process's base-image blobs: where each can be fetched or mounted from.
  BlobOrigins& origins() { return m_origins; }
  // Where downloads and extractions of lazy layers are reported (may be null).
  void set_progress(ProgressSink* sink) { m_progress = sink; }

  // Makes `blob` present in the content store, fetching it from its first
  // origin: once, however many threads ask. Fails, saying so, when it is
  // missing and no origin is known.
  Result<void> ensure_blob(const oci::Descriptor& blob);
  // ensure_blob for each, a few downloads at once.
  Result<void> ensure_blobs(const std::vector<oci::Descriptor>& blobs);
  // Makes the committed snapshot `ref` exist. Layers that have a record but
  // no snapshot (lazy base-image layers) are extracted from their blobs on
  // top of their parents, bottom up, after fetching the missing blobs in
  // parallel. Threads asking for the same layer extract it once; another
  // process committing it first wins (Snapshotter::commit keeps one copy).
  // "" (scratch) needs nothing.
  Result<void> ensure_snapshot(const std::string& ref);

private:
  EngineState() = default;
  // A mutex per ref or digest being materialised, so one thread does the work.
  std::shared_ptr<std::mutex> work_lock(const std::string& key);
  Result<void> extract_once(const LayerRecord& rec);
  Result<void> extract_layer(const LayerRecord& rec);

  std::filesystem::path m_root;
  std::unique_ptr<oci::ContentStore> m_content;
  std::unique_ptr<snapshot::Snapshotter> m_snapshots;
  std::unique_ptr<cache::CacheIndex> m_cache;
  BlobOrigins m_origins;
  ProgressSink* m_progress = nullptr;
  std::mutex m_work_mutex;
  std::map<std::string, std::shared_ptr<std::mutex>> m_work_locks;
  std::unique_ptr<ContextDigests> m_digests;
};

} // namespace xbuild::engine::build
