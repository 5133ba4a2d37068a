// `imagetools create`: assemble an index from existing images and push it.
//
// Sources may live in the target repository, in another repository of the
// same registry (blobs are mounted) or on another registry (blobs are copied
// through a temporary content store). Child manifests are pushed by digest
// before the index is pushed by tag, so a tag never names missing content.

#include <cstdlib>
#include <map>
#include <set>

#include <nlohmann/json.hpp>

#include "oci/content_store.hpp"
#include "oci/registry/imagetools.hpp"
#include "oci/registry/pull.hpp"
#include "oci/registry/push.hpp"
#include "util/fs.hpp"
#include "util/strings.hpp"

namespace xbuild::oci::registry {
namespace {

struct Child {
  Descriptor descriptor;
  Repo source;
};

struct Sources {
  std::vector<Child> children;
  std::optional<ManifestBytes> single_root; // set when exactly one source was given
  std::optional<Repo> single_repo;
};

// Fetches blobs from their source registry into a temp store on first use.
class CopyingBlobs final : public BlobProvider {
public:
  CopyingBlobs(RegistryClient& client, ContentStore& store, std::map<Digest, Repo> sources)
      : m_client(client), m_store(store), m_sources(std::move(sources)) {}

  Result<util::BodySource> open(const Descriptor& blob) override {
    if (!m_store.exists(blob.digest)) {
      auto it = m_sources.find(blob.digest);
      if (it == m_sources.end())
        return fail("no source known for blob " + blob.digest.str());
      TRY_VOID(fetch_blob_to_store(m_client, it->second, blob, m_store));
    }
    ContentStoreBlobs local(m_store);
    return local.open(blob);
  }

private:
  RegistryClient& m_client;
  ContentStore& m_store;
  std::map<Digest, Repo> m_sources;
};

Result<Platform> platform_from_config(const std::string& config, const std::string& where) {
  auto j = nlohmann::json::parse(config, nullptr, false);
  if (j.is_discarded() || !j.is_object())
    return fail(where + ": the image config is not JSON");
  Platform p;
  p.os = j.value("os", std::string());
  p.architecture = j.value("architecture", std::string());
  p.variant = j.value("variant", std::string());
  if (p.os.empty() || p.architecture.empty())
    return fail(where + ": the image config names no os/architecture");
  return p.normalized();
}

Result<void> add_source(RegistryClient& client, const Repo& repo, const std::string& tag_or_digest,
                        const std::vector<Platform>& filter, Sources& out, bool single) {
  auto root = TRY(client.get_manifest(repo, tag_or_digest));
  if (single) {
    out.single_root = root;
    out.single_repo = repo;
  }
  auto keep = [&](const Descriptor& d) {
    if (filter.empty() || is_attestation_entry(d))
      return filter.empty();
    for (const auto& p : filter)
      if (d.platform && platform_matches(p, *d.platform))
        return true;
    return false;
  };
  if (is_index(root.media_type)) {
    auto index = TRY(parse_image_index(root.bytes, repo.str() + "@" + tag_or_digest));
    for (const auto& d : index.manifests)
      if (keep(d))
        out.children.push_back({d, repo});
    return {};
  }
  auto manifest = TRY(parse_image_manifest(root.bytes, repo.str() + "@" + tag_or_digest));
  auto config = TRY(client.fetch_blob_bytes(repo, manifest.config));
  Descriptor d = root.descriptor();
  d.platform = TRY(platform_from_config(config, repo.str() + "@" + tag_or_digest));
  if (keep(d))
    out.children.push_back({d, repo});
  return {};
}

struct ParsedAnnotations {
  Annotations index, descriptor;
};

Result<ParsedAnnotations> parse_annotations(const std::vector<std::string>& specs) {
  ParsedAnnotations out;
  for (const auto& spec : specs) {
    auto eq = spec.find('=');
    if (eq == std::string::npos || eq == 0)
      return fail("invalid annotation \"" + spec + "\": expected [TYPE:]KEY=VALUE");
    std::string key = spec.substr(0, eq), value = spec.substr(eq + 1);
    if (util::starts_with(key, "index:"))
      out.index[key.substr(6)] = value;
    else if (util::starts_with(key, "manifest-descriptor:"))
      out.descriptor[key.substr(20)] = value;
    else if (util::starts_with(key, "manifest:") || util::starts_with(key, "index-descriptor:"))
      return fail("annotation \"" + spec +
                  "\": only index: and manifest-descriptor: "
                  "annotations can be set by imagetools create");
    else
      out.index[key] = value;
  }
  return out;
}

Result<ManifestBytes> assemble(const Sources& sources, const ParsedAnnotations& annotations,
                               const CreateOptions& options) {
  bool plain = options.platforms.empty() && options.annotations.empty() && !options.append;
  if (sources.single_root && plain) {
    if (is_index(sources.single_root->media_type))
      return *sources.single_root; // a carbon copy keeps the exact bytes
    if (!options.prefer_index)
      return *sources.single_root;
  }
  ImageIndex index;
  std::set<Digest> seen;
  for (const auto& c : sources.children) {
    if (!seen.insert(c.descriptor.digest).second)
      continue;
    Descriptor d = c.descriptor;
    for (const auto& [k, v] : annotations.descriptor)
      d.annotations[k] = v;
    index.manifests.push_back(d);
  }
  if (index.manifests.empty())
    return fail("no manifests left to put in the index (check --platform and the sources)");
  bool docker = choose_index_family(index.manifests) == MediaFamily::docker &&
                annotations.index.empty() && annotations.descriptor.empty();
  index.media_type = index_media_type(docker ? MediaFamily::docker : MediaFamily::oci);
  index.annotations = annotations.index;
  return encode_index(index);
}

} // namespace

Result<RegistrySession> open_registry_session(const std::filesystem::path& config_dir,
                                              const util::CancelSource* cancel) {
  RegistrySession s;
  s.transport = util::make_curl_transport();
  s.helpers = make_process_helper_runner();
  s.credentials = TRY(DockerCredentialStore::load(config_dir, *s.helpers));
  RegistryOptions options;
  options.hosts = hosts_options_from_env();
  options.cancel = cancel;
  if (const char* env = std::getenv("XBUILD_REGISTRY_PARALLELISM"); env && *env) {
    int n = std::atoi(env);
    if (n < 1 || n > 64)
      return fail("XBUILD_REGISTRY_PARALLELISM must be a number from 1 to 64, not \"" +
                  std::string(env) + "\"");
    options.parallel_uploads = n;
  }
  s.client = std::make_unique<RegistryClient>(*s.transport, *s.credentials, std::move(options));
  return s;
}

Result<CreateResult> create_image(RegistryClient& client, const CreateOptions& options) {
  if (options.tags.empty() && !options.dry_run)
    return fail("imagetools create needs at least one --tag (or --dry-run)");
  std::vector<Reference> targets;
  for (const auto& t : options.tags)
    targets.push_back(TRY(Reference::parse(t)));
  std::vector<Platform> filter;
  for (const auto& p : options.platforms)
    for (auto& one : TRY(parse_platform_list(p)))
      filter.push_back(one);
  auto annotations = TRY(parse_annotations(options.annotations));

  // 1. Resolve every source (and the existing target for --append).
  Sources sources;
  size_t count = options.sources.size() + options.files.size();
  if (count == 0)
    return fail("imagetools create needs at least one source image");
  auto default_repo = [&]() -> Result<Repo> {
    if (targets.empty())
      return fail("a source given as a digest needs a --tag naming its repository");
    return Repo::of(targets[0]);
  };
  if (options.append && !targets.empty()) {
    auto repo = Repo::of(targets[0]);
    if (TRY(client.head_manifest(repo, targets[0].tag_or_digest())))
      TRY_VOID(add_source(client, repo, targets[0].tag_or_digest(), {}, sources, false));
  }
  for (const auto& src : options.sources) {
    if (util::starts_with(src, "sha256:")) {
      TRY(Digest::parse(src, "source " + src));
      TRY_VOID(add_source(client, TRY(default_repo()), src, filter, sources, count == 1));
      continue;
    }
    auto ref = TRY(Reference::parse(src));
    TRY_VOID(add_source(client, Repo::of(ref), ref.tag_or_digest(), filter, sources, count == 1));
  }
  for (const auto& file : options.files) {
    auto text = TRY(util::read_file(file));
    auto j = nlohmann::json::parse(text, nullptr, false);
    if (j.is_discarded())
      return fail(file + ": not a JSON descriptor");
    auto d = TRY(descriptor_from_json(j, file));
    TRY_VOID(add_source(client, TRY(default_repo()), d.digest.str(), filter, sources, count == 1));
  }

  // 2. Build the new index (or carbon copy).
  CreateResult result;
  result.manifest = TRY(assemble(sources, annotations, options));
  if (options.dry_run)
    return result;

  // 3. Push to each target repository: children, their blobs, then tags.
  std::map<Digest, Repo> manifest_source;
  for (const auto& c : sources.children)
    manifest_source.emplace(c.descriptor.digest, c.source);
  Repo fallback = sources.single_repo ? *sources.single_repo : sources.children.front().source;
  if (!is_index(result.manifest.media_type))
    manifest_source.emplace(result.manifest.digest, fallback);
  auto source_of = [&](const Digest& d) {
    auto it = manifest_source.find(d);
    return it == manifest_source.end() ? fallback : it->second;
  };
  auto plan = TRY(plan_push(result.manifest, [&](const Descriptor& d) -> Result<std::string> {
    auto m = TRY(client.get_manifest(source_of(d.digest), d.digest.str()));
    return std::move(m.bytes);
  }));
  std::map<Digest, Repo> blob_source;
  auto note_blobs = [&](const ManifestBytes& m) -> Result<void> {
    if (!is_manifest(m.media_type))
      return {};
    auto manifest = TRY(parse_image_manifest(m.bytes, "manifest " + m.digest.str()));
    for (const auto& l : manifest.layers)
      blob_source.emplace(l.digest, source_of(m.digest));
    blob_source.emplace(manifest.config.digest, source_of(m.digest));
    return {};
  };
  for (const auto& m : plan.manifests)
    TRY_VOID(note_blobs(m));
  TRY_VOID(note_blobs(plan.root));

  util::TempDir temp("xbuild-imagetools");
  auto store = TRY(ContentStore::open(temp.path() / "content"));
  CopyingBlobs blobs(client, store, blob_source);
  std::map<std::string, std::vector<std::string>> tags_by_repo;
  std::map<std::string, Repo> repos;
  for (const auto& t : targets) {
    auto repo = Repo::of(t);
    repos[repo.str()] = repo;
    tags_by_repo[repo.str()].push_back(t.tag.empty() ? t.digest.str() : t.tag);
  }
  for (const auto& [key, repo] : repos) {
    PushOptions push;
    push.tags = tags_by_repo[key];
    for (const auto& [digest, src] : blob_source)
      if (src.host == repo.host && src.name != repo.name)
        push.mount_sources[digest].push_back(src.name);
    TRY(push_plan(client, repo, plan, blobs, push));
  }
  result.pushed = targets;
  return result;
}

} // namespace xbuild::oci::registry
