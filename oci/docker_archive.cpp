#include "oci/docker_archive.hpp"

#include <nlohmann/json.hpp>
#include <set>

#include "oci/image_config.hpp"
#include "oci/manifest.hpp"
#include "oci/oci_layout.hpp"
#include "oci/tar_writer.hpp"

namespace xbuild::oci {

using nlohmann::ordered_json;

Result<void> write_docker_archive(const ContentStore& store,
                                  const std::vector<DockerArchiveImage>& images,
                                  const WriteFn& sink) {
  if (images.empty())
    return fail("a docker archive needs at least one image");
  ordered_json manifest_json = ordered_json::array();
  ordered_json repositories = ordered_json::object();
  ImageIndex index;
  std::vector<Descriptor> blobs; // in archive order, each once
  std::set<Digest> seen;
  auto add_blob = [&](const Descriptor& d) {
    if (seen.insert(d.digest).second)
      blobs.push_back(d);
  };

  for (auto& image : images) {
    std::string where = "image " + image.manifest.digest.str();
    if (!is_manifest(image.manifest.media_type))
      return fail(where + " is not a single-platform image manifest (media type \"" +
                  image.manifest.media_type + "\"); pick a platform first");
    ImageManifest m = TRY(parse_image_manifest(TRY(store.get(image.manifest.digest)), where));
    // docker load checks the config's diff ids against the layers; fail here
    // with a clearer message if they disagree in number.
    ImageConfig config =
        TRY(parse_image_config(TRY(store.get(m.config.digest)), "config of " + where));
    if (config.diff_ids.size() != m.layers.size())
      return fail(where + " has " + std::to_string(m.layers.size()) + " layers but its config " +
                  "lists " + std::to_string(config.diff_ids.size()) +
                  " diff ids; the image is inconsistent, rebuild it");
    ordered_json entry;
    entry["Config"] = "blobs/sha256/" + m.config.digest.encoded;
    entry["RepoTags"] = ordered_json::array();
    for (auto& ref : image.repo_tags) {
      if (ref.tag.empty())
        return fail("docker archive names need a tag: " + ref.str());
      std::string familiar = ref.with_digest({}).familiar();
      entry["RepoTags"].push_back(familiar);
      std::string repo = familiar.substr(0, familiar.rfind(':'));
      repositories[repo][ref.tag] = m.config.digest.encoded;
    }
    entry["Layers"] = ordered_json::array();
    for (auto& l : m.layers) {
      if (!store.exists(l.digest))
        return fail(where + ": layer " + l.digest.str() + " is not in the content store at " +
                    store.root().string() + "; pull or build the image again");
      entry["Layers"].push_back("blobs/sha256/" + l.digest.encoded);
    }
    manifest_json.push_back(std::move(entry));

    add_blob(image.manifest);
    add_blob(m.config);
    for (auto& l : m.layers)
      add_blob(l);
    Descriptor root = image.manifest;
    root.platform.reset();
    if (!image.repo_tags.empty()) {
      root.annotations[std::string(k_containerd_name_annotation)] = image.repo_tags[0].str();
      root.annotations[std::string(k_ref_name_annotation)] = image.repo_tags[0].tag;
    }
    index.manifests.push_back(std::move(root));
  }

  ManifestBytes index_bytes = TRY(encode_index(index));
  auto tar = TRY(TarWriter::open(sink));
  TRY_VOID(tar->add_directory("blobs/"));
  TRY_VOID(tar->add_directory("blobs/sha256/"));
  for (auto& b : blobs)
    TRY_VOID(tar->add_file("blobs/sha256/" + b.digest.encoded, store.blob_path(b.digest)));
  TRY_VOID(tar->add_bytes("index.json", index_bytes.bytes));
  TRY_VOID(tar->add_bytes("manifest.json", manifest_json.dump()));
  TRY_VOID(tar->add_bytes("oci-layout", k_oci_layout_file_content));
  if (!repositories.empty())
    TRY_VOID(tar->add_bytes("repositories", repositories.dump()));
  return tar->close();
}

} // namespace xbuild::oci
