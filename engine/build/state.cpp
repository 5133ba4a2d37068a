#include "engine/build/state.hpp"

#include <algorithm>
#include <sys/stat.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "engine/progress.hpp"
#include "oci/layer_tar.hpp"
#include "oci/registry/push.hpp"
#include "util/fs.hpp"
#include "util/sha256.hpp"

namespace xbuild::engine::build {
namespace {

std::string ref_file_name(const std::string& ref) {
  auto colon = ref.find(':');
  return colon == std::string::npos ? ref : ref.substr(colon + 1);
}

std::string short_hex(const std::string& digest) { return ref_file_name(digest).substr(0, 12); }

// Work a lazy layer needs (a download, an extraction) shown as a vertex of
// its own: started now, completed or failed by finish().
class LazyWork {
public:
  LazyWork(ProgressSink* sink, std::string name) : m_sink(sink) {
    m_event.digest = "sha256:" + util::sha256_hex("lazy " + name);
    m_event.name = std::move(name);
    m_event.started = Clock::now();
    if (m_sink)
      m_sink->vertex(m_event);
  }
  // Byte progress of `id` (a blob) inside this vertex: every MiB, and at
  // the end (the event plain progress prints).
  void bytes(const std::string& id, int64_t current, int64_t total, bool done) {
    if (!m_sink || (!done && current - m_reported < (int64_t(1) << 20)))
      return;
    m_reported = current;
    StatusEvent st{id, m_event.digest, id, current, total, m_event.started, std::nullopt};
    if (done)
      st.completed = Clock::now();
    m_sink->status(st);
  }
  Result<void> finish(Result<void> outcome) {
    m_event.completed = Clock::now();
    if (!outcome)
      m_event.error = outcome.error().message;
    if (m_sink)
      m_sink->vertex(m_event);
    return outcome;
  }

private:
  ProgressSink* m_sink;
  VertexEvent m_event;
  int64_t m_reported = 0;
};

} // namespace

std::string chain_id(const std::string& parent, const oci::Digest& diff_id) {
  if (parent.empty())
    return diff_id.str();
  return "sha256:" + util::sha256_hex(parent + " " + diff_id.str());
}

Result<std::unique_ptr<EngineState>> EngineState::open(const std::filesystem::path& root) {
  std::unique_ptr<EngineState> s(new EngineState());
  s->m_root = root;
  std::error_code ec;
  std::filesystem::create_directories(root / "layers", ec);
  if (ec)
    return fail("cannot create the engine state directory " + root.string() + ": " +
                ec.message() + (::geteuid() ? " (run as root or set the builder's root= option)" : ""));
  s->m_content = std::make_unique<oci::ContentStore>(TRY(oci::ContentStore::open(root / "content")));
  s->m_snapshots = TRY(snapshot::Snapshotter::open(root / "snapshots"));
  s->m_cache = TRY(cache::CacheIndex::open(root / "cache.db"));
  s->m_digests = std::make_unique<ContextDigests>(s->m_cache.get());
  return s;
}

std::filesystem::path EngineState::cache_mount_dir(const std::string& id) const {
  return m_root / "mounts" / util::sha256_hex(id);
}

Result<void> EngineState::put_layer(const LayerRecord& r) {
  nlohmann::ordered_json j = {{"ref", r.ref},
                              {"parent", r.parent},
                              {"blob", oci::descriptor_to_json(r.blob)},
                              {"diffID", r.diff_id.str()},
                              {"uncompressedSize", r.uncompressed_size},
                              {"source", r.from_image ? "image" : "build"}};
  return util::write_file_atomic(m_root / "layers" / ref_file_name(r.ref), j.dump());
}

Result<std::optional<LayerRecord>> EngineState::layer(const std::string& ref) const {
  auto path = m_root / "layers" / ref_file_name(ref);
  std::error_code ec;
  if (!std::filesystem::exists(path, ec))
    return std::optional<LayerRecord>();
  auto text = TRY(util::read_file(path));
  auto j = nlohmann::json::parse(text, nullptr, false);
  if (j.is_discarded())
    return fail("corrupt layer record " + path.string() + "; remove it and build again");
  LayerRecord r;
  r.ref = j.value("ref", "");
  r.parent = j.value("parent", "");
  r.blob = TRY(oci::descriptor_from_json(j["blob"], path.string()));
  r.diff_id = TRY(oci::Digest::parse(j.value("diffID", ""), path.string()));
  r.uncompressed_size = j.value("uncompressedSize", int64_t(0));
  // Records written before "source" existed: only image layers lacked a size.
  r.from_image = j.contains("source") ? j.value("source", "") == "image" : r.uncompressed_size == 0;
  return std::optional<LayerRecord>(r);
}

Result<void> EngineState::remove_layer(const std::string& ref) {
  std::error_code ec;
  std::filesystem::remove(m_root / "layers" / ref_file_name(ref), ec);
  if (ec)
    return fail("cannot remove the layer record of " + ref + ": " + ec.message());
  return {};
}

std::vector<std::string> EngineState::layer_refs() const {
  std::vector<std::string> out;
  std::error_code ec;
  for (std::filesystem::directory_iterator it(m_root / "layers", ec), end; !ec && it != end;
       it.increment(ec)) {
    auto name = it->path().filename().string();
    if (name.size() == 64 && name.find_first_not_of("0123456789abcdef") == std::string::npos)
      out.push_back("sha256:" + name); // not temp files of write_file_atomic
  }
  return out;
}

int64_t EngineState::layer_time(const std::string& ref) const {
  struct stat st {};
  auto path = m_root / "layers" / ref_file_name(ref);
  return ::stat(path.c_str(), &st) == 0 ? static_cast<int64_t>(st.st_mtime) : 0;
}

std::shared_ptr<std::mutex> EngineState::work_lock(const std::string& key) {
  std::lock_guard lock(m_work_mutex);
  auto& m = m_work_locks[key];
  if (!m)
    m = std::make_shared<std::mutex>();
  return m;
}

Result<void> EngineState::ensure_blob(const oci::Descriptor& blob) {
  if (m_content->exists(blob.digest))
    return {};
  auto guard = work_lock(blob.digest.str());
  std::lock_guard lock(*guard);
  if (m_content->exists(blob.digest))
    return {}; // another thread fetched it while this one waited
  auto origins = m_origins.find(blob.digest);
  if (origins.empty())
    return fail("layer blob " + blob.digest.str() +
                " is not in the build state and no registry is known for it; build again "
                "(the base image is resolved again) or run `docker xbuild prune --all`");
  const auto& origin = origins.front();
  LazyWork work(m_progress,
                "[internal] pull " + origin.label + " (" + short_hex(blob.digest.str()) + ")");
  int64_t received = 0;
  auto on_bytes = [&](int64_t n) {
    received = n;
    work.bytes(blob.digest.str(), n, blob.size, false);
  };
  auto fetched = origin.fetcher->fetch(blob, *m_content, on_bytes);
  if (fetched)
    work.bytes(blob.digest.str(), received, blob.size, true);
  if (!fetched)
    fetched = fail("cannot fetch " + origin.label + " (" + blob.digest.str() +
                   "): " + fetched.error().message, fetched.error().exit_code);
  return work.finish(std::move(fetched));
}

Result<void> EngineState::ensure_blobs(const std::vector<oci::Descriptor>& blobs) {
  // As a pull does: a few downloads at once.
  constexpr int k_parallel_fetches = 4;
  return oci::registry::parallel_for(blobs.size(), k_parallel_fetches,
                                     [&](size_t i) { return ensure_blob(blobs[i]); });
}

Result<void> EngineState::ensure_snapshot(const std::string& ref) {
  if (ref.empty() || m_snapshots->exists(ref))
    return {};
  // The layers to extract, top first: down to the first one that exists.
  std::vector<LayerRecord> missing;
  for (std::string cur = ref; !cur.empty() && !m_snapshots->exists(cur);) {
    auto rec = TRY(layer(cur));
    if (!rec)
      return fail("the build state has neither a snapshot nor a layer record for " + cur +
                  "; the state is incomplete: run `docker xbuild prune --all` and build again");
    cur = rec->parent;
    missing.push_back(std::move(*rec));
  }
  // Their blobs download in parallel; extraction goes bottom up.
  std::vector<oci::Descriptor> blobs;
  for (const auto& rec : missing)
    blobs.push_back(rec.blob);
  TRY_VOID(ensure_blobs(blobs));
  for (auto it = missing.rbegin(); it != missing.rend(); ++it)
    TRY_VOID(extract_once(*it));
  return {};
}

Result<void> EngineState::extract_once(const LayerRecord& rec) {
  auto guard = work_lock(rec.ref);
  std::lock_guard lock(*guard);
  if (m_snapshots->exists(rec.ref))
    return {}; // another thread (or process) extracted it meanwhile
  auto origins = m_origins.find(rec.blob.digest);
  std::string label = origins.empty() ? "layer " + short_hex(rec.blob.digest.str())
                                      : origins.front().label;
  LazyWork work(m_progress, "[internal] extract " + label);
  return work.finish(extract_layer(rec));
}

Result<void> EngineState::extract_layer(const LayerRecord& rec) {
  auto active = TRY(m_snapshots->prepare(rec.parent));
  auto reader = TRY(m_content->open_blob(rec.blob.digest));
  auto read = [&reader](void* buf, size_t n) { return reader.read(buf, n); };
  TRY(oci::extract_layer(read, active.root(), oci::ExtractOptions{},
                         "layer " + rec.blob.digest.str()));
  TRY(m_snapshots->commit(std::move(active), rec.ref));
  return {};
}

Result<std::vector<LayerRecord>> EngineState::stack(const std::string& ref) const {
  std::vector<LayerRecord> out;
  for (std::string cur = ref; !cur.empty();) {
    auto rec = TRY(layer(cur));
    if (!rec)
      return fail("the build state has no layer record for " + cur +
                  "; the state is incomplete: run `docker xbuild prune --all` and build again");
    cur = rec->parent;
    out.push_back(std::move(*rec));
  }
  std::reverse(out.begin(), out.end());
  return out;
}

} // namespace xbuild::engine::build
