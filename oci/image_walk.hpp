#pragma once
// Walking an image graph in a content store: from root descriptors (indexes
// or manifests) to every blob they reference.

#include <vector>

#include "oci/content_store.hpp"
#include "oci/descriptor.hpp"
#include "oci/manifest.hpp"
#include "util/error.hpp"

namespace xbuild::oci {

struct WalkOptions {
  // Layers with "urls" (foreign / non-distributable) may be absent.
  bool allow_missing_foreign = true;
  // Fail when a referenced blob is not in the store (otherwise skip it).
  bool require_all = true;
};

// Every blob reachable from `roots`, each once, parents before children
// (indexes, then manifests, configs and layers). Manifests and indexes are
// read from the store and parsed; other blobs only need to exist.
Result<std::vector<Descriptor>> referenced_blobs(const ContentStore& store,
                                                 const std::vector<Descriptor>& roots,
                                                 const WalkOptions& options = {});

// Resolves a root to the image manifest for `platform` (the root itself
// when it is a manifest). `where` names the image in messages.
Result<Descriptor> resolve_image_manifest(const ContentStore& store, const Descriptor& root,
                                          const Platform& platform, std::string_view where);

} // namespace xbuild::oci
