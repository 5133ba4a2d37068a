#include "oci/registry/pull.hpp"

#include <atomic>
#include <set>

#include "oci/registry/push.hpp"

namespace xbuild::oci::registry {
namespace {

Result<ManifestBytes> child_manifest(RegistryClient& client, const Repo& repo, ContentStore& store,
                                     const Descriptor& d) {
  if (store.exists(d.digest)) {
    auto bytes = TRY(store.get(d.digest));
    return ManifestBytes::from(d.media_type, std::move(bytes));
  }
  auto m = TRY(client.get_manifest(repo, d.digest.str()));
  TRY(store.put(m.bytes, m.digest));
  return m;
}

bool wanted(const Descriptor& d, const PullOptions& o) {
  if (is_attestation_entry(d))
    return false;
  if (o.platforms.empty())
    return true;
  if (!d.platform)
    return false;
  for (const auto& p : o.platforms)
    if (platform_matches(p, *d.platform, o.match))
      return true;
  return false;
}

Result<void> collect(RegistryClient& client, const Repo& repo, ContentStore& store,
                     const ManifestBytes& m, const PullOptions& o, PulledImage& out, int depth) {
  if (depth > 4)
    return fail(repo.str() + ": indexes nested deeper than 4 levels");
  if (is_manifest(m.media_type)) {
    out.manifests.push_back(m);
    return {};
  }
  auto index = TRY(parse_image_index(m.bytes, "index " + m.digest.str()));
  if (o.platforms.size() == 1) { // one platform: the best match only, as docker pull does
    auto i = select_platform(index, o.platforms[0], o.match);
    if (!i)
      return fail(repo.str() + " has no image for platform " + o.platforms[0].str());
    auto child = TRY(child_manifest(client, repo, store, index.manifests[*i]));
    return collect(client, repo, store, child, o, out, depth + 1);
  }
  for (const auto& d : index.manifests) {
    if (!(is_index(d.media_type) || is_manifest(d.media_type)) || !wanted(d, o))
      continue;
    auto child = TRY(child_manifest(client, repo, store, d));
    TRY_VOID(collect(client, repo, store, child, o, out, depth + 1));
  }
  return {};
}

} // namespace

Result<void> fetch_blob_to_store(RegistryClient& client, const Repo& repo, const Descriptor& blob,
                                 ContentStore& store,
                                 const std::function<void(int64_t)>& on_bytes) {
  auto writer = std::make_shared<std::unique_ptr<BlobWriter>>();
  auto open_sink = [&, writer]() -> Result<util::BodySink> {
    *writer = TRY(store.writer(blob.digest, blob.size)); // a retry starts over
    BlobWriter* w = writer->get();
    auto received = std::make_shared<int64_t>(0);
    return util::BodySink([w, received, &on_bytes](const char* data, size_t n) -> Result<void> {
      auto written = w->write(data, n);
      if (written && on_bytes)
        on_bytes(*received += static_cast<int64_t>(n));
      return written;
    });
  };
  TRY_VOID(client.fetch_blob(repo, blob, open_sink));
  TRY((*writer)->commit());
  return {};
}

Result<PulledImage> pull_image(RegistryClient& client, const Reference& ref, ContentStore& store,
                               const PullOptions& options) {
  Repo repo = Repo::of(ref);
  PulledImage out;
  out.root = TRY(client.get_manifest(repo, ref.tag_or_digest()));
  TRY(store.put(out.root.bytes, out.root.digest));
  TRY_VOID(collect(client, repo, store, out.root, options, out, 0));
  if (out.manifests.empty())
    return fail(ref.str() + " has no image matching the requested platforms");

  std::vector<Descriptor> blobs;
  std::set<Digest> seen;
  for (const auto& m : out.manifests) {
    auto manifest = TRY(parse_image_manifest(m.bytes, "manifest " + m.digest.str()));
    if (seen.insert(manifest.config.digest).second)
      blobs.push_back(manifest.config);
    if (options.fetch_layers)
      for (const auto& l : manifest.layers)
        if (seen.insert(l.digest).second)
          blobs.push_back(l);
  }
  std::atomic<int> fetched{0}, present{0};
  auto fetch_one = [&](size_t i) -> Result<void> {
    const auto& d = blobs[i];
    if (store.exists(d.digest)) {
      ++present;
      return {};
    }
    TRY_VOID(fetch_blob_to_store(client, repo, d, store));
    ++fetched;
    return {};
  };
  TRY_VOID(parallel_for(blobs.size(), client.options().parallel_uploads, fetch_one));
  out.blobs_fetched = fetched;
  out.blobs_present = present;
  return out;
}

} // namespace xbuild::oci::registry
