#pragma once
// Pulling an image into a content store: resolve the reference to an index
// or manifest, select platforms, fetch configs and layers concurrently with
// digest verification. Blobs the store already holds are not fetched again,
// so an interrupted pull resumes where it stopped.

#include <vector>

#include "oci/content_store.hpp"
#include "oci/manifest.hpp"
#include "oci/platform.hpp"
#include "oci/reference.hpp"
#include "oci/registry/client.hpp"

namespace xbuild::oci::registry {

struct PullOptions {
  std::vector<Platform> platforms; // empty = every platform of an index
  PlatformMatch match = PlatformMatch::exact;
  bool fetch_layers = true; // false: manifests and configs only
};

struct PulledImage {
  ManifestBytes root;                   // what the reference names (index or manifest)
  std::vector<ManifestBytes> manifests; // the selected image manifests
  int blobs_fetched = 0, blobs_present = 0;
};

// Downloads one blob of `repo` into `store` (verified; a retry starts over).
// `on_bytes`, when set, is told the bytes received so far as they arrive.
Result<void> fetch_blob_to_store(RegistryClient& client, const Repo& repo, const Descriptor& blob,
                                 ContentStore& store,
                                 const std::function<void(int64_t)>& on_bytes = {});

Result<PulledImage> pull_image(RegistryClient& client, const Reference& ref, ContentStore& store,
                               const PullOptions& options);

} // namespace xbuild::oci::registry
