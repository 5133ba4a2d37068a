#pragma once
// Pushing an image graph (index → manifests → config + layers) to one
// repository.
//
// Order: layer blobs → config blobs → child manifests by digest → the root
// by each tag. Manifests go last so that a failed push never leaves a tag
// pointing at missing content. Blobs upload in parallel (options.
// parallel_uploads), each distinct digest once (same-digest uploads to one
// repository race in some registries).

#include <atomic>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "oci/content_store.hpp"
#include "oci/manifest.hpp"
#include "oci/registry/client.hpp"

namespace xbuild::oci::registry {

// Where blob bytes come from.
class BlobProvider {
public:
  virtual ~BlobProvider() = default;
  // A fresh source over the whole blob (called again for every retry).
  virtual Result<util::BodySource> open(const Descriptor& blob) = 0;
};

class ContentStoreBlobs final : public BlobProvider {
public:
  explicit ContentStoreBlobs(const ContentStore& store) : m_store(store) {}
  Result<util::BodySource> open(const Descriptor& blob) override;

private:
  const ContentStore& m_store;
};

// What to push: the root document, every manifest below it (children before
// parents) and every blob they reference (deduplicated).
struct PushPlan {
  ManifestBytes root;
  std::vector<ManifestBytes> manifests; // below the root, children first
  std::vector<Descriptor> layers;
  std::vector<Descriptor> configs;
};

// Builds a plan by walking from `root`; `load` returns the bytes of a child
// manifest or index (from a store, layout or registry).
Result<PushPlan> plan_push(const ManifestBytes& root,
                           const std::function<Result<std::string>(const Descriptor&)>& load);

struct PushStats {
  int uploaded = 0, mounted = 0, existed = 0;
  int64_t bytes_uploaded = 0;
};

struct PushOptions {
  std::vector<std::string> tags; // empty: the root is pushed by digest only
  // Repositories on the same registry that already hold a blob: mount candidates.
  std::map<Digest, std::vector<std::string>> mount_sources;
  // Called after each blob (thread-safe callers only).
  std::function<void(const Descriptor&, RegistryClient::Uploaded)> on_blob;
};

Result<PushStats> push_plan(RegistryClient& client, const Repo& repo, const PushPlan& plan,
                            BlobProvider& blobs, const PushOptions& options);

// The whole job for an image held in a content store: plan from `root`
// (children read from the store) and push to every reference in `targets`
// (grouped by repository; each tag gets the root, a digest-only reference
// pushes by digest).
Result<PushStats> push_from_store(RegistryClient& client, const std::vector<Reference>& targets,
                                  const ManifestBytes& root, const ContentStore& store);

// Runs `task(i)` for i in [0, count) on up to `parallelism` threads; stops
// handing out work after the first error and returns it.
Result<void> parallel_for(size_t count, int parallelism,
                          const std::function<Result<void>(size_t)>& task);

} // namespace xbuild::oci::registry
