#include "oci/image_builder.hpp"

namespace xbuild::oci {

Result<StoredImage> store_image(ContentStore& store, ImageConfig config,
                                const std::vector<StoredLayer>& layers, MediaFamily family,
                                const Annotations& annotations) {
  if (config.os.empty() || config.architecture.empty())
    return fail("internal error: an image config needs os and architecture");
  config.diff_ids.clear();
  ImageManifest m;
  m.media_type = manifest_media_type(family);
  m.annotations = annotations;
  for (auto& l : layers) {
    config.diff_ids.push_back(l.info.diff_id);
    m.layers.push_back(l.descriptor);
  }
  std::string config_bytes = encode_image_config(config);
  m.config = descriptor_for(config_media_type(family), config_bytes);
  TRY(store.put(config_bytes, m.config.digest));
  ManifestBytes bytes = TRY(encode_manifest(m));
  TRY(store.put(bytes.bytes, bytes.digest));
  StoredImage out;
  out.config = m.config;
  out.descriptor = bytes.descriptor();
  out.descriptor.platform = config.platform();
  out.manifest = std::move(bytes);
  return out;
}

Result<ManifestBytes> store_index(ContentStore& store, const std::vector<Descriptor>& children,
                                  const Annotations& annotations) {
  ImageIndex index;
  index.media_type = index_media_type(choose_index_family(children));
  index.manifests = children;
  index.annotations = annotations;
  ManifestBytes bytes = TRY(encode_index(index));
  TRY(store.put(bytes.bytes, bytes.digest));
  return bytes;
}

} // namespace xbuild::oci
