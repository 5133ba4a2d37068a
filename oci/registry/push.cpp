#include "oci/registry/push.hpp"

#include <algorithm>
#include <mutex>
#include <set>
#include <thread>

#include "util/log.hpp"

namespace xbuild::oci::registry {

Result<util::BodySource> ContentStoreBlobs::open(const Descriptor& blob) {
  auto reader = std::make_shared<BlobReader>(TRY(m_store.open_blob(blob.digest)));
  if (blob.size >= 0 && reader->size() != blob.size)
    return fail("blob " + blob.digest.str() + " in the content store has " +
                std::to_string(reader->size()) + " bytes, the manifest says " +
                std::to_string(blob.size));
  return util::BodySource([reader](char* buf, size_t n) { return reader->read(buf, n); });
}

Result<void> parallel_for(size_t count, int parallelism,
                          const std::function<Result<void>(size_t)>& task) {
  std::atomic<size_t> next{0};
  std::atomic<bool> failed{false};
  std::mutex mutex;
  std::optional<Error> first_error;
  auto worker = [&] {
    while (!failed.load()) {
      size_t i = next.fetch_add(1);
      if (i >= count)
        return;
      auto r = task(i);
      if (!r) {
        std::lock_guard lock(mutex);
        if (!first_error)
          first_error = r.error();
        failed.store(true);
      }
    }
  };
  size_t n = std::min<size_t>(count, static_cast<size_t>(std::max(1, parallelism)));
  std::vector<std::thread> threads;
  for (size_t i = 1; i < n; ++i)
    threads.emplace_back(worker);
  worker();
  for (auto& t : threads)
    t.join();
  if (first_error)
    return tl::unexpected(*first_error);
  return {};
}

namespace {

struct Walker {
  const std::function<Result<std::string>(const Descriptor&)>& load;
  PushPlan& plan;
  std::set<Digest> seen;

  Result<void> add_blob(std::vector<Descriptor>& into, const Descriptor& d) {
    if (seen.insert(d.digest).second)
      into.push_back(d);
    return {};
  }

  // Post-order: children are appended before the document that lists them.
  Result<void> visit(const ManifestBytes& m, bool is_root) {
    std::string where = "manifest " + m.digest.str();
    if (is_index(m.media_type)) {
      auto index = TRY(parse_image_index(m.bytes, where));
      for (const auto& child : index.manifests) {
        if (!is_index(child.media_type) && !is_manifest(child.media_type))
          return fail(where + " lists " + child.digest.str() + " of unsupported type " +
                      child.media_type);
        if (!seen.insert(child.digest).second)
          continue;
        auto bytes = TRY(load(child));
        auto cm = ManifestBytes::from(child.media_type, std::move(bytes));
        if (cm.digest != child.digest)
          return fail(where + ": child " + child.digest.str() + " has digest " + cm.digest.str() +
                      " in the source; refusing it");
        TRY_VOID(visit(cm, false));
      }
    } else {
      auto manifest = TRY(parse_image_manifest(m.bytes, where));
      for (const auto& layer : manifest.layers)
        TRY_VOID(add_blob(plan.layers, layer));
      TRY_VOID(add_blob(plan.configs, manifest.config));
    }
    if (!is_root)
      plan.manifests.push_back(m);
    return {};
  }
};

} // namespace

Result<PushPlan> plan_push(const ManifestBytes& root,
                           const std::function<Result<std::string>(const Descriptor&)>& load) {
  PushPlan plan;
  plan.root = root;
  Walker w{load, plan, {}};
  w.seen.insert(root.digest);
  TRY_VOID(w.visit(root, true));
  return plan;
}

Result<PushStats> push_plan(RegistryClient& client, const Repo& repo, const PushPlan& plan,
                            BlobProvider& blobs, const PushOptions& options) {
  PushStats stats;
  std::mutex stats_mutex;
  auto push_blobs = [&](const std::vector<Descriptor>& list) -> Result<void> {
    return parallel_for(
        list.size(), client.options().parallel_uploads, [&](size_t i) -> Result<void> {
          const auto& d = list[i];
          auto it = options.mount_sources.find(d.digest);
          auto from = it == options.mount_sources.end() ? std::vector<std::string>{} : it->second;
          auto how = TRY(client.push_blob(
              repo, d, [&]() { return blobs.open(d); }, from));
          {
            std::lock_guard lock(stats_mutex);
            if (how == RegistryClient::Uploaded::uploaded) {
              ++stats.uploaded;
              stats.bytes_uploaded += d.size;
            } else if (how == RegistryClient::Uploaded::mounted) {
              ++stats.mounted;
            } else {
              ++stats.existed;
            }
          }
          if (options.on_blob)
            options.on_blob(d, how);
          return {};
        });
  };
  // 1. layers, 2. configs: everything a manifest references exists first.
  TRY_VOID(push_blobs(plan.layers));
  TRY_VOID(push_blobs(plan.configs));
  // 3. child manifests by digest (children before their parent index).
  for (const auto& m : plan.manifests)
    TRY_VOID(client.put_manifest(repo, m.digest.str(), m));
  // 4. the root, by tag — or by digest when no tag is given.
  if (options.tags.empty())
    TRY_VOID(client.put_manifest(repo, plan.root.digest.str(), plan.root));
  for (const auto& tag : options.tags)
    TRY_VOID(client.put_manifest(repo, tag, plan.root));
  spdlog::debug("pushed {}: {} uploaded, {} mounted, {} present", repo.str(), stats.uploaded,
                stats.mounted, stats.existed);
  return stats;
}

Result<PushStats> push_from_store(RegistryClient& client, const std::vector<Reference>& targets,
                                  const ManifestBytes& root, const ContentStore& store) {
  auto plan = TRY(plan_push(root, [&](const Descriptor& d) { return store.get(d.digest); }));
  ContentStoreBlobs blobs(store);
  std::map<std::string, std::pair<Repo, std::vector<std::string>>> by_repo;
  for (const auto& t : targets) {
    auto repo = Repo::of(t);
    auto& entry = by_repo[repo.str()];
    entry.first = repo;
    if (!t.tag.empty())
      entry.second.push_back(t.tag);
  }
  PushStats total;
  for (const auto& [key, entry] : by_repo) {
    PushOptions options;
    options.tags = entry.second;
    auto stats = TRY(push_plan(client, entry.first, plan, blobs, options));
    total.uploaded += stats.uploaded;
    total.mounted += stats.mounted;
    total.existed += stats.existed;
    total.bytes_uploaded += stats.bytes_uploaded;
  }
  return total;
}

} // namespace xbuild::oci::registry
