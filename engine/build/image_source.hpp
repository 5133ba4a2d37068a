#pragma once
// Base images: resolved once per (name, platform) per build, by digest, so a
// tag that moved is a different image and misses the cache. Resolving a
// registry image fetches its manifest and config only; its layers are pulled
// lazily (layer_op.cpp), from the origins noted in EngineState.

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "engine/build/blob_origins.hpp"
#include "oci/content_store.hpp"
#include "oci/image_config.hpp"
#include "oci/manifest.hpp"
#include "oci/platform.hpp"

namespace xbuild::util {
class CancelSource;
}

namespace xbuild::engine::build {

struct ResolvedImage {
  std::string name;        // canonical reference, "docker.io/library/busybox:latest"
  oci::Digest manifest;    // the platform's manifest digest
  oci::ImageConfig config;
  std::vector<oci::Descriptor> layers; // base first; maybe not in the content store yet
};

class ImageSource {
public:
  virtual ~ImageSource() = default;
  virtual Result<ResolvedImage> resolve(const std::string& name, const oci::Platform& platform) = 0;
};

// Reads "DIR[:TAG|@DIGEST]" from an OCI layout, importing its blobs into
// `store`.
Result<ResolvedImage> resolve_oci_layout(oci::ContentStore& store, const std::string& spec,
                                         const oci::Platform& platform);

// Resolves images in registries (credentials from `docker_config_dir`):
// manifests and configs go into `store`, and each layer's origin into
// `origins`, whose fetchers keep the registry session alive after the
// source is gone (the export may still need it).
std::unique_ptr<ImageSource> make_registry_image_source(oci::ContentStore& store,
                                                        BlobOrigins& origins,
                                                        std::filesystem::path docker_config_dir,
                                                        const util::CancelSource* cancel);

} // namespace xbuild::engine::build
