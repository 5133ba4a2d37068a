#pragma once
// Where the layer blobs of base images come from, for one build.
//
// Base images are pulled lazily: resolving one fetches its manifest and
// config only. Each of its layer blobs is noted here with its origin, and is
// downloaded (BlobFetcher) only when something needs its bytes: extracting
// it because a step runs on that root filesystem, writing an output that
// contains it, or pushing it to a registry that neither has it nor can
// mount it from the origin's repository (host/repository, same registry).

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "oci/content_store.hpp"
#include "oci/descriptor.hpp"

namespace xbuild::engine::build {

// Downloads blobs into a content store. The seam between the engine and the
// registry client; tests use a fake.
class BlobFetcher {
public:
  virtual ~BlobFetcher() = default;
  // Fetches `blob` into `store`, verifying digest and size; `on_bytes` is
  // told the bytes received so far as they arrive (a retry starts over).
  virtual Result<void> fetch(const oci::Descriptor& blob, oci::ContentStore& store,
                             const std::function<void(int64_t)>& on_bytes) = 0;
};

struct BlobOrigin {
  std::shared_ptr<BlobFetcher> fetcher;
  std::string host;       // registry API host ("" when the origin is no registry)
  std::string repository; // repository on `host` holding the blob: a mount source
  std::string label;      // for progress and errors: "layer 2/3 of 127.0.0.1:5000/busybox:latest"
};

// digest → origins, in the order they were added (the first one fetches).
// Thread-safe.
class BlobOrigins {
public:
  void add(const oci::Digest& digest, BlobOrigin origin);
  std::vector<BlobOrigin> find(const oci::Digest& digest) const;

private:
  mutable std::mutex m_mutex;
  std::map<oci::Digest, std::vector<BlobOrigin>> m_origins;
};

} // namespace xbuild::engine::build
