#pragma once
// Assembling images in a content store from layers that are already stored:
// config → manifest → (optionally) index, each written as exact bytes.

#include <vector>

#include "oci/content_store.hpp"
#include "oci/descriptor.hpp"
#include "oci/image_config.hpp"
#include "oci/layer_tar.hpp"
#include "oci/manifest.hpp"
#include "util/error.hpp"

namespace xbuild::oci {

struct StoredImage {
  ManifestBytes manifest;
  Descriptor config;
  Descriptor descriptor; // of the manifest, with the config's platform set
};

// Stores `config` (its diff_ids are replaced by the layers' diff ids, in
// order) and a manifest of `family` over `layers`.
Result<StoredImage> store_image(ContentStore& store, ImageConfig config,
                                const std::vector<StoredLayer>& layers, MediaFamily family,
                                const Annotations& annotations = {});

// Stores an index over `children` (descriptors with platforms), choosing a
// Docker manifest list only when every child is Docker-typed.
Result<ManifestBytes> store_index(ContentStore& store, const std::vector<Descriptor>& children,
                                  const Annotations& annotations = {});

} // namespace xbuild::oci
