#include "oci/image_walk.hpp"

#include <set>

namespace xbuild::oci {

namespace {

struct Walker {
  const ContentStore& store;
  const WalkOptions& options;
  std::set<Digest> seen;
  std::vector<Descriptor> out;

  Result<void> visit(const Descriptor& d, const std::string& where) {
    if (!seen.insert(d.digest).second)
      return {};
    if (!store.exists(d.digest)) {
      if (!d.urls.empty() && options.allow_missing_foreign)
        return {};
      if (!options.require_all)
        return {};
      return fail("blob " + d.digest.str() + " (" + d.media_type + ", " + where +
                  ") is not in the content store at " + store.root().string() +
                  "; pull or build the image again");
    }
    out.push_back(d);
    if (is_index(d.media_type)) {
      std::string bytes = TRY(store.get(d.digest));
      ImageIndex index = TRY(parse_image_index(bytes, "index " + d.digest.str()));
      for (size_t i = 0; i < index.manifests.size(); ++i)
        TRY_VOID(visit(index.manifests[i],
                       "index " + d.digest.short_hex() + " manifests[" + std::to_string(i) + "]"));
    } else if (is_manifest(d.media_type)) {
      std::string bytes = TRY(store.get(d.digest));
      ImageManifest m = TRY(parse_image_manifest(bytes, "manifest " + d.digest.str()));
      TRY_VOID(visit(m.config, "config of " + d.digest.short_hex()));
      for (size_t i = 0; i < m.layers.size(); ++i)
        TRY_VOID(visit(m.layers[i], "layer " + std::to_string(i) + " of " + d.digest.short_hex()));
    }
    return {};
  }
};

} // namespace

Result<std::vector<Descriptor>> referenced_blobs(const ContentStore& store,
                                                 const std::vector<Descriptor>& roots,
                                                 const WalkOptions& options) {
  Walker w{store, options, {}, {}};
  for (auto& r : roots)
    TRY_VOID(w.visit(r, "root"));
  return std::move(w.out);
}

Result<Descriptor> resolve_image_manifest(const ContentStore& store, const Descriptor& root,
                                          const Platform& platform, std::string_view where) {
  Descriptor current = root;
  for (int depth = 0; depth < 4; ++depth) {
    if (is_manifest(current.media_type))
      return current;
    if (!is_index(current.media_type))
      return fail(std::string(where) + ": " + current.digest.str() + " has media type \"" +
                  current.media_type + "\", which is not an image manifest or index");
    std::string bytes = TRY(store.get(current.digest));
    ImageIndex index = TRY(parse_image_index(bytes, where));
    auto pick = select_platform(index, platform, PlatformMatch::exact);
    if (!pick)
      pick = select_platform(index, platform, PlatformMatch::compatible);
    if (!pick) {
      std::string available;
      for (auto& m : index.manifests)
        if (m.platform && !is_attestation_entry(m))
          available += (available.empty() ? "" : ", ") + m.platform->str();
      return fail(std::string(where) + " has no image for platform " + platform.str() +
                  " (available: " + (available.empty() ? "none" : available) +
                  "); choose one of those with --platform");
    }
    current = index.manifests[*pick];
  }
  return fail(std::string(where) + ": indexes are nested too deeply");
}

} // namespace xbuild::oci
