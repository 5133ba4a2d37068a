#include "engine/build/state.hpp"

#include <algorithm>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "util/fs.hpp"
#include "util/sha256.hpp"

namespace xbuild::engine::build {
namespace {

std::string ref_file_name(const std::string& ref) {
  auto colon = ref.find(':');
  return colon == std::string::npos ? ref : ref.substr(colon + 1);
}

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
