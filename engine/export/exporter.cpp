#include "engine/export/exporter.hpp"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <set>
#include <unistd.h>

#include "engine/snapshot/fs_ops.hpp"
#include "oci/docker_archive.hpp"
#include "oci/image_builder.hpp"
#include "oci/oci_layout.hpp"
#include "oci/reference.hpp"
#include "oci/registry/imagetools.hpp"
#include "oci/registry/push.hpp"
#include "util/strings.hpp"

namespace xbuild::engine::exporter {
namespace {

namespace fs = std::filesystem;

// A file (or stdout for "-") to stream an output into; written to a temp
// name and renamed on success so a failed export leaves no partial file.
class OutputFile {
public:
  static Result<OutputFile> open(const std::string& dest) {
    if (dest == "-")
      return OutputFile(STDOUT_FILENO, "", "");
    std::string tmp = dest + ".xbuild-tmp";
    int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0)
      return fail("cannot write " + dest + ": " + std::strerror(errno));
    return OutputFile(fd, tmp, dest);
  }
  OutputFile(OutputFile&& o) noexcept : m_fd(o.m_fd), m_tmp(o.m_tmp), m_dest(o.m_dest) { o.m_fd = -1; }
  ~OutputFile() {
    if (m_fd >= 0 && !m_tmp.empty()) {
      ::close(m_fd);
      ::unlink(m_tmp.c_str());
    }
  }
  oci::WriteFn writer() {
    return [this](const void* data, size_t size) -> Result<void> {
      const char* p = static_cast<const char*>(data);
      while (size > 0) {
        ssize_t n = ::write(m_fd, p, size);
        if (n < 0 && errno == EINTR)
          continue;
        if (n < 0)
          return fail("cannot write " + (m_dest.empty() ? std::string("stdout") : m_dest) + ": " +
                      std::strerror(errno));
        p += n;
        size -= static_cast<size_t>(n);
      }
      return {};
    };
  }
  Result<void> commit() {
    if (m_tmp.empty())
      return {};
    if (::fsync(m_fd) != 0 || ::close(m_fd) != 0) {
      m_fd = -1;
      return fail("cannot write " + m_dest + ": " + std::strerror(errno));
    }
    m_fd = -1;
    if (::rename(m_tmp.c_str(), m_dest.c_str()) != 0)
      return fail("cannot write " + m_dest + ": " + std::strerror(errno));
    return {};
  }

private:
  OutputFile(int fd, std::string tmp, std::string dest)
      : m_fd(fd), m_tmp(std::move(tmp)), m_dest(std::move(dest)) {}
  int m_fd;
  std::string m_tmp, m_dest;
};

std::string platform_dir(const oci::Platform& p) {
  std::string s = p.str();
  std::replace(s.begin(), s.end(), '/', '_');
  return s;
}

Result<std::vector<oci::Reference>> references(const std::vector<std::string>& names) {
  std::vector<oci::Reference> out;
  for (const auto& n : names)
    out.push_back(TRY(oci::Reference::parse(n)));
  return out;
}

Result<void> export_rootfs(build::EngineState& state, const build::BuildResult& result,
                           const OutputSpec& out) {
  std::string dest = out.attr("dest");
  if (dest.empty())
    return fail("dest is required for " + out.type + " exporter");
  bool multi = result.images.size() > 1;
  for (const auto& img : result.images) {
    TRY_VOID(state.ensure_snapshot(img.ref)); // a lazy base layer is extracted now
    auto view = TRY(state.snapshots().view(img.ref));
    if (out.type == "local") {
      fs::path target = multi ? fs::path(dest) / platform_dir(img.platform) : fs::path(dest);
      std::error_code ec;
      fs::create_directories(target, ec);
      if (ec)
        return fail("cannot create " + target.string() + ": " + ec.message());
      TRY_VOID(snapshot::copy_tree(view.root(), target));
    } else {
      if (multi && dest == "-")
        return fail("a multi-platform tar output needs a file dest, not stdout");
      std::string file = multi ? dest + "." + platform_dir(img.platform) : dest;
      auto f = TRY(OutputFile::open(file));
      oci::LayerWriteOptions opts;
      opts.compression = oci::Compression::none;
      TRY(oci::write_layer(view.root(), f.writer(), opts));
      TRY_VOID(f.commit());
    }
  }
  return {};
}

// Every layer blob of the result in the content store: lazy base layers are
// downloaded now, for outputs that contain them.
Result<void> ensure_layer_blobs(build::EngineState& state, const build::BuildResult& result) {
  std::set<oci::Digest> seen;
  std::vector<oci::Descriptor> blobs;
  for (const auto& img : result.images)
    for (const auto& rec : TRY(state.stack(img.ref)))
      if (seen.insert(rec.blob.digest).second)
        blobs.push_back(rec.blob);
  return state.ensure_blobs(blobs);
}

// Blobs for a push: read from the content store, where a lazy base layer is
// downloaded first. Only blobs the registry lacks and cannot mount are
// opened, so pushing next to the base image downloads none of its layers.
class LazyStoreBlobs final : public oci::registry::BlobProvider {
public:
  explicit LazyStoreBlobs(build::EngineState& state) : m_state(state) {}
  Result<util::BodySource> open(const oci::Descriptor& blob) override {
    TRY_VOID(m_state.ensure_blob(blob));
    return oci::registry::ContentStoreBlobs(m_state.content()).open(blob);
  }

private:
  build::EngineState& m_state;
};

// Base-image layers on the target's registry are mounted from their own
// repository instead of being uploaded (and downloaded first).
std::map<oci::Digest, std::vector<std::string>> mount_sources(build::EngineState& state,
                                                              const oci::registry::PushPlan& plan,
                                                              const oci::registry::Repo& target) {
  std::map<oci::Digest, std::vector<std::string>> out;
  for (const auto& layer : plan.layers)
    for (const auto& origin : state.origins().find(layer.digest))
      if (origin.host == target.host && origin.repository != target.name)
        out[layer.digest].push_back(origin.repository);
  return out;
}

Result<std::vector<std::string>> push(build::EngineState& state, const StoredResult& stored,
                                      const std::vector<oci::Reference>& names,
                                      const ExportRequest& req) {
  if (names.empty())
    return fail("tag is needed when pushing to registry");
  auto session = TRY(oci::registry::open_registry_session(req.docker_config_dir, req.cancel));
  auto load = [&](const oci::Descriptor& d) { return state.content().get(d.digest); };
  auto plan = TRY(oci::registry::plan_push(stored.root, load));
  LazyStoreBlobs blobs(state);
  std::vector<std::string> pushed;
  for (const auto& ref : names) {
    auto repo = oci::registry::Repo::of(ref);
    oci::registry::PushOptions opts;
    opts.tags = {ref.tag.empty() ? "latest" : ref.tag};
    opts.mount_sources = mount_sources(state, plan, repo);
    TRY(oci::registry::push_plan(*session.client, repo, plan, blobs, opts));
    pushed.push_back(ref.str());
  }
  return pushed;
}

} // namespace

Result<OutputSpec> parse_output(const std::string& text) {
  OutputSpec out;
  if (text == "-")
    return OutputSpec{"tar", {{"dest", "-"}}};
  if (text.find('=') == std::string::npos)
    return OutputSpec{"local", {{"dest", text}}};
  for (const auto& field : util::split(text, ',')) {
    auto eq = field.find('=');
    if (eq == std::string::npos)
      return fail("invalid output \"" + text + "\": \"" + field + "\" is not key=value");
    out.attrs[util::to_lower(util::trim(field.substr(0, eq)))] = field.substr(eq + 1);
  }
  out.type = out.attr("type");
  out.attrs.erase("type");
  static const std::set<std::string> k_types = {"image", "registry", "oci", "docker",
                                                "local", "tar",      "cacheonly"};
  if (out.type.empty())
    return fail("invalid output \"" + text + "\": type is required (image, registry, oci, docker, "
                "local, tar)");
  if (!k_types.count(out.type))
    return fail("unsupported output type \"" + out.type + "\": use image, registry, oci, docker, "
                "local or tar");
  if (out.type == "registry") {
    out.type = "image";
    out.attrs["push"] = "true";
  }
  return out;
}

Result<StoredResult> store_result(build::EngineState& state, const build::BuildResult& result,
                                  oci::MediaFamily family) {
  StoredResult out;
  for (const auto& img : result.images) {
    std::vector<oci::StoredLayer> layers;
    for (const auto& rec : TRY(state.stack(img.ref))) {
      oci::StoredLayer l;
      l.descriptor = rec.blob;
      l.info.digest = rec.blob.digest;
      l.info.size = rec.blob.size;
      l.info.diff_id = rec.diff_id;
      l.info.uncompressed_size = rec.uncompressed_size;
      layers.push_back(l);
    }
    auto stored = TRY(oci::store_image(state.content(), img.config, layers, family));
    stored.descriptor.platform = img.platform;
    out.manifests.push_back(stored.descriptor);
    out.configs.push_back(stored.config.digest);
    if (result.images.size() == 1)
      out.root = stored.manifest;
  }
  if (result.images.size() > 1)
    out.root = TRY(oci::store_index(state.content(), out.manifests));
  return out;
}

Result<ExportMetadata> export_result(build::EngineState& state, const build::BuildResult& result,
                                     const StoredResult& stored, const ExportRequest& req) {
  ExportMetadata meta;
  meta.descriptor = stored.root.descriptor();
  if (stored.configs.size() == 1)
    meta.config = stored.configs.front();
  for (const auto& out : req.outputs) {
    std::vector<std::string> names = req.tags;
    if (auto n = out.attr("name"); !n.empty())
      names = util::split(n, ',');
    auto refs = TRY(references(names));
    meta.image_name = util::join(names, ",");
    if (out.type == "image" || out.type == "cacheonly") {
      if (out.attr("push") == "true")
        meta.pushed = TRY(push(state, stored, refs, req));
    } else if (out.type == "oci") {
      TRY_VOID(ensure_layer_blobs(state, result));
      std::vector<oci::LayoutRoot> roots = {{meta.descriptor, std::nullopt}};
      if (!refs.empty())
        roots.front().name = refs.front();
      std::string dest = out.attr("dest");
      if (dest.empty())
        return fail("dest is required for oci exporter");
      if (out.attr("tar", "true") == "false") {
        TRY(oci::write_oci_layout_dir(state.content(), roots, dest));
      } else {
        auto f = TRY(OutputFile::open(dest));
        TRY(oci::write_oci_layout_tar(state.content(), roots, f.writer()));
        TRY_VOID(f.commit());
      }
    } else if (out.type == "docker") {
      if (stored.manifests.size() > 1)
        return fail("docker exporter does not currently support exporting manifest lists");
      TRY_VOID(ensure_layer_blobs(state, result));
      std::string dest = out.attr("dest");
      if (dest.empty()) {
        meta.loaded = TRY(load_into_docker(state.content(), stored.manifests.front(), refs,
                                           req.docker, state.root() / "tmp", req.cancel));
        continue;
      }
      auto f = TRY(OutputFile::open(dest));
      TRY_VOID(oci::write_docker_archive(state.content(), {{stored.manifests.front(), refs}},
                                         f.writer()));
      TRY_VOID(f.commit());
    } else if (out.type == "local" || out.type == "tar") {
      TRY_VOID(export_rootfs(state, result, out));
    }
  }
  return meta;
}

} // namespace xbuild::engine::exporter
