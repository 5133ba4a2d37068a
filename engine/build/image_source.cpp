#include "engine/build/image_source.hpp"

#include "oci/oci_layout.hpp"
#include "oci/reference.hpp"
#include "oci/registry/imagetools.hpp"
#include "oci/registry/pull.hpp"

namespace xbuild::engine::build {
namespace {

// Fetches a lazy layer from the repository its image was resolved in.
class RegistryBlobFetcher : public BlobFetcher {
public:
  RegistryBlobFetcher(std::shared_ptr<oci::registry::RegistrySession> session,
                      oci::registry::Repo repo)
      : m_session(std::move(session)), m_repo(std::move(repo)) {}
  Result<void> fetch(const oci::Descriptor& blob, oci::ContentStore& store,
                     const std::function<void(int64_t)>& on_bytes) override {
    return oci::registry::fetch_blob_to_store(*m_session->client, m_repo, blob, store, on_bytes);
  }

private:
  std::shared_ptr<oci::registry::RegistrySession> m_session;
  oci::registry::Repo m_repo;
};

class RegistryImageSource : public ImageSource {
public:
  RegistryImageSource(oci::ContentStore& store, BlobOrigins& origins,
                      std::filesystem::path config_dir, const util::CancelSource* cancel)
      : m_store(store), m_origins(origins), m_config_dir(std::move(config_dir)),
        m_cancel(cancel) {}

  Result<ResolvedImage> resolve(const std::string& name, const oci::Platform& platform) override {
    std::lock_guard lock(m_mutex);
    std::string key = name + "|" + platform.str();
    if (auto it = m_resolved.find(key); it != m_resolved.end())
      return it->second;
    auto ref = TRY(oci::Reference::parse(name));
    if (!m_session)
      m_session = std::make_shared<oci::registry::RegistrySession>(
          TRY(oci::registry::open_registry_session(m_config_dir, m_cancel)));
    oci::registry::PullOptions opts;
    opts.platforms = {platform};
    opts.match = oci::PlatformMatch::compatible;
    opts.fetch_layers = false; // lazily, when something needs them
    auto pulled = TRY(oci::registry::pull_image(*m_session->client, ref, m_store, opts));
    if (pulled.manifests.empty())
      return fail("failed to resolve source metadata for " + ref.str() + ": no match for platform " +
                  platform.str() + " in the manifest");
    const auto& mb = pulled.manifests.front();
    auto manifest = TRY(oci::parse_image_manifest(mb.bytes, ref.str()));
    auto config_bytes = TRY(m_store.get(manifest.config.digest));
    auto config = TRY(oci::parse_image_config(config_bytes, ref.str() + " config"));
    note_origins(ref, manifest.layers);
    ResolvedImage img{ref.str(), mb.digest, std::move(config), manifest.layers};
    m_resolved.emplace(key, img);
    return img;
  }

private:
  void note_origins(const oci::Reference& ref, const std::vector<oci::Descriptor>& layers) {
    auto repo = oci::registry::Repo::of(ref);
    auto fetcher = std::make_shared<RegistryBlobFetcher>(m_session, repo);
    for (size_t i = 0; i < layers.size(); ++i)
      m_origins.add(layers[i].digest,
                    {fetcher, repo.host, repo.name,
                     "layer " + std::to_string(i + 1) + "/" + std::to_string(layers.size()) +
                         " of " + ref.str()});
  }

  oci::ContentStore& m_store;
  BlobOrigins& m_origins;
  std::filesystem::path m_config_dir;
  const util::CancelSource* m_cancel;
  std::mutex m_mutex;
  std::shared_ptr<oci::registry::RegistrySession> m_session;
  std::map<std::string, ResolvedImage> m_resolved;
};

} // namespace

Result<ResolvedImage> resolve_oci_layout(oci::ContentStore& store, const std::string& spec,
                                         const oci::Platform& platform) {
  // DIR, DIR:TAG or DIR@sha256:…; a colon inside the path is not a tag.
  std::string dir = spec, tag;
  if (auto at = spec.rfind('@'); at != std::string::npos) {
    dir = spec.substr(0, at);
    tag = spec.substr(at + 1);
  } else if (auto colon = spec.rfind(':'); colon != std::string::npos &&
                                           spec.find('/', colon) == std::string::npos) {
    dir = spec.substr(0, colon);
    tag = spec.substr(colon + 1);
  }
  std::string what = "oci-layout://" + spec;
  TRY(oci::import_oci_layout(dir, store));
  auto layout = TRY(oci::open_oci_layout(dir));
  oci::Descriptor d;
  if (tag.starts_with("sha256:")) {
    d.digest = TRY(oci::Digest::parse(tag, what));
    d.media_type = "";
  } else {
    d = TRY(layout.find(tag));
  }
  std::string bytes = TRY(store.get(d.digest));
  if (d.media_type.empty())
    d.media_type = TRY(oci::detect_manifest_media_type(bytes, "", what));
  if (oci::is_index(d.media_type)) {
    auto index = TRY(oci::parse_image_index(bytes, what));
    auto pick = oci::select_platform(index, platform, oci::PlatformMatch::compatible);
    if (!pick)
      return fail(what + " has no image for platform " + platform.str());
    d = index.manifests[*pick];
    bytes = TRY(store.get(d.digest));
  }
  auto manifest = TRY(oci::parse_image_manifest(bytes, what));
  auto config = TRY(oci::parse_image_config(TRY(store.get(manifest.config.digest)), what));
  return ResolvedImage{what, d.digest, config, manifest.layers};
}

std::unique_ptr<ImageSource> make_registry_image_source(oci::ContentStore& store,
                                                        BlobOrigins& origins,
                                                        std::filesystem::path docker_config_dir,
                                                        const util::CancelSource* cancel) {
  return std::make_unique<RegistryImageSource>(store, origins, std::move(docker_config_dir),
                                               cancel);
}

} // namespace xbuild::engine::build
