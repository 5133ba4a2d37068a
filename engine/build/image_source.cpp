#include "engine/build/image_source.hpp"

#include "oci/reference.hpp"
#include "oci/registry/imagetools.hpp"
#include "oci/registry/pull.hpp"

namespace xbuild::engine::build {
namespace {

class RegistryImageSource : public ImageSource {
public:
  RegistryImageSource(oci::ContentStore& store, std::filesystem::path config_dir,
                      const util::CancelSource* cancel)
      : m_store(store), m_config_dir(std::move(config_dir)), m_cancel(cancel) {}

  Result<ResolvedImage> resolve(const std::string& name, const oci::Platform& platform) override {
    std::lock_guard lock(m_mutex);
    std::string key = name + "|" + platform.str();
    if (auto it = m_resolved.find(key); it != m_resolved.end())
      return it->second;
    auto ref = TRY(oci::Reference::parse(name));
    if (!m_session)
      m_session = std::make_unique<oci::registry::RegistrySession>(
          TRY(oci::registry::open_registry_session(m_config_dir, m_cancel)));
    oci::registry::PullOptions opts;
    opts.platforms = {platform};
    opts.match = oci::PlatformMatch::compatible;
    auto pulled = TRY(oci::registry::pull_image(*m_session->client, ref, m_store, opts));
    if (pulled.manifests.empty())
      return fail("failed to resolve source metadata for " + ref.str() + ": no match for platform " +
                  platform.str() + " in the manifest");
    const auto& mb = pulled.manifests.front();
    auto manifest = TRY(oci::parse_image_manifest(mb.bytes, ref.str()));
    auto config_bytes = TRY(m_store.get(manifest.config.digest));
    ResolvedImage img{ref.str(), mb.digest,
                      TRY(oci::parse_image_config(config_bytes, ref.str() + " config")),
                      manifest.layers};
    m_resolved.emplace(key, img);
    return img;
  }

private:
  oci::ContentStore& m_store;
  std::filesystem::path m_config_dir;
  const util::CancelSource* m_cancel;
  std::mutex m_mutex;
  std::unique_ptr<oci::registry::RegistrySession> m_session;
  std::map<std::string, ResolvedImage> m_resolved;
};

} // namespace

std::unique_ptr<ImageSource> make_registry_image_source(oci::ContentStore& store,
                                                        std::filesystem::path docker_config_dir,
                                                        const util::CancelSource* cancel) {
  return std::make_unique<RegistryImageSource>(store, std::move(docker_config_dir), cancel);
}

} // namespace xbuild::engine::build
