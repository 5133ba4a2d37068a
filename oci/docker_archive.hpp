#pragma once
// The docker-archive format that `docker load` reads and `docker save`
// writes: `manifest.json` ([{"Config", "RepoTags", "Layers"}]), the legacy
// `repositories` map, and the blobs. Like Docker 25+, the archive is also a
// valid OCI layout (oci-layout, index.json, blobs/sha256/…), so the same
// tarball works with `docker load`, `skopeo copy docker-archive:` and
// `skopeo copy oci-archive:`.

#include <vector>

#include "oci/content_store.hpp"
#include "oci/descriptor.hpp"
#include "oci/reference.hpp"
#include "util/error.hpp"

namespace xbuild::oci {

struct DockerArchiveImage {
  Descriptor manifest;              // a single-platform image manifest in the store
  std::vector<Reference> repo_tags; // names to tag on load (may be empty)
};

// Streams the archive. Layers are written as stored (gzip layers load on
// every Docker; zstd layers need Docker 23+).
Result<void> write_docker_archive(const ContentStore& store,
                                  const std::vector<DockerArchiveImage>& images,
                                  const WriteFn& sink);

} // namespace xbuild::oci
