#include "oci/manifest.hpp"

#include <nlohmann/json.hpp>

#include "util/strings.hpp"

namespace xbuild::oci {

using nlohmann::json;
using nlohmann::ordered_json;

namespace {

Result<json> parse_json_object(std::string_view bytes, std::string_view where) {
  json j;
  try {
    j = json::parse(bytes.begin(), bytes.end());
  } catch (const json::exception& e) { // parse_error, or out_of_range for huge numbers
    return fail(std::string(where) + " is not valid JSON (" + e.what() +
                "); the content is corrupt or not a manifest");
  }
  if (!j.is_object())
    return fail(std::string(where) + " must be a JSON object");
  return j;
}

Result<void> check_schema_version(const json& j, std::string_view where) {
  auto it = j.find("schemaVersion");
  if (it == j.end() || !it->is_number_integer())
    return fail(std::string(where) + ": \"schemaVersion\" is missing or not a number");
  if (it->get<int>() == 1)
    return fail(std::string(where) +
                " is a Docker schema 1 manifest, which is not supported; re-push the image "
                "with a current Docker or buildx");
  if (it->get<int>() != 2)
    return fail(std::string(where) + ": unsupported schemaVersion " +
                std::to_string(it->get<int>()) + " (expected 2)");
  return {};
}

Result<std::string> media_type_field(const json& j, std::string_view where) {
  auto it = j.find("mediaType");
  if (it == j.end() || it->is_null())
    return std::string();
  if (!it->is_string())
    return fail(std::string(where) + ": \"mediaType\" must be a string");
  return it->get<std::string>();
}

Result<std::optional<Descriptor>> optional_descriptor(const json& j, const char* key,
                                                      std::string_view where) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null())
    return std::optional<Descriptor>();
  return std::optional<Descriptor>(TRY(descriptor_from_json(*it, std::string(where) + "." + key)));
}

Result<std::vector<Descriptor>> descriptor_list(const json& j, const char* key,
                                                std::string_view where, bool required) {
  std::vector<Descriptor> out;
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) {
    if (required)
      return fail(std::string(where) + ": \"" + key + "\" is missing");
    return out;
  }
  if (!it->is_array())
    return fail(std::string(where) + ": \"" + key + "\" must be an array of descriptors");
  for (size_t i = 0; i < it->size(); ++i)
    out.push_back(TRY(descriptor_from_json((*it)[i], std::string(where) + "." + key + "[" +
                                                         std::to_string(i) + "]")));
  return out;
}

Result<std::string> string_field(const json& j, const char* key, std::string_view where) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null())
    return std::string();
  if (!it->is_string())
    return fail(std::string(where) + ": \"" + key + "\" must be a string");
  return it->get<std::string>();
}

Result<void> check_docker_fields(std::string_view media_type, const std::string& artifact_type,
                                 const std::optional<Descriptor>& subject,
                                 const Annotations& annotations, std::string_view what) {
  if (!is_docker(media_type))
    return {};
  if (!artifact_type.empty() || subject || !annotations.empty())
    return fail("cannot write a Docker " + std::string(what) +
                " with annotations, subject or artifactType (Docker schema2 has no such "
                "fields); use the OCI media types instead (e.g. --output oci-mediatypes=true)");
  return {};
}

// Compact JSON; strings that are not UTF-8 (only possible in documents we
// build, parsed ones are validated) get U+FFFD instead of an exception.
std::string dump(const ordered_json& j) {
  return j.dump(-1, ' ', false, ordered_json::error_handler_t::replace);
}

} // namespace

ManifestBytes ManifestBytes::from(std::string media_type, std::string bytes) {
  ManifestBytes m;
  m.media_type = std::move(media_type);
  m.digest = Digest::of(bytes);
  m.bytes = std::move(bytes);
  return m;
}

Descriptor ManifestBytes::descriptor() const {
  Descriptor d;
  d.media_type = media_type;
  d.digest = digest;
  d.size = static_cast<int64_t>(bytes.size());
  return d;
}

MediaFamily ImageManifest::family() const {
  return is_docker(media_type) ? MediaFamily::docker : MediaFamily::oci;
}
MediaFamily ImageIndex::family() const {
  return is_docker(media_type) ? MediaFamily::docker : MediaFamily::oci;
}

Result<ImageManifest> parse_image_manifest(std::string_view bytes, std::string_view where) {
  json j = TRY(parse_json_object(bytes, where));
  TRY_VOID(check_schema_version(j, where));
  ImageManifest m;
  m.media_type = TRY(media_type_field(j, where));
  if (!m.media_type.empty() && !is_manifest(m.media_type))
    return fail(std::string(where) + " has mediaType \"" + m.media_type +
                "\", which is not an image manifest");
  m.artifact_type = TRY(string_field(j, "artifactType", where));
  auto config = j.find("config");
  if (config == j.end())
    return fail(std::string(where) + ": \"config\" is missing; this is not an image manifest");
  m.config = TRY(descriptor_from_json(*config, std::string(where) + ".config"));
  m.layers = TRY(descriptor_list(j, "layers", where, false));
  m.subject = TRY(optional_descriptor(j, "subject", where));
  if (auto a = j.find("annotations"); a != j.end())
    m.annotations = TRY(annotations_from_json(*a, std::string(where) + ".annotations"));
  return m;
}

Result<ImageIndex> parse_image_index(std::string_view bytes, std::string_view where) {
  json j = TRY(parse_json_object(bytes, where));
  TRY_VOID(check_schema_version(j, where));
  ImageIndex index;
  index.media_type = TRY(media_type_field(j, where));
  if (!index.media_type.empty() && !is_index(index.media_type))
    return fail(std::string(where) + " has mediaType \"" + index.media_type +
                "\", which is not an image index or manifest list");
  index.artifact_type = TRY(string_field(j, "artifactType", where));
  index.manifests = TRY(descriptor_list(j, "manifests", where, true));
  index.subject = TRY(optional_descriptor(j, "subject", where));
  if (auto a = j.find("annotations"); a != j.end())
    index.annotations = TRY(annotations_from_json(*a, std::string(where) + ".annotations"));
  return index;
}

Result<ManifestBytes> encode_manifest(const ImageManifest& m) {
  TRY_VOID(check_docker_fields(m.media_type, m.artifact_type, m.subject, m.annotations,
                               "image manifest"));
  ordered_json j;
  j["schemaVersion"] = m.schema_version;
  if (!m.media_type.empty())
    j["mediaType"] = m.media_type;
  if (!m.artifact_type.empty())
    j["artifactType"] = m.artifact_type;
  j["config"] = descriptor_to_json(m.config);
  j["layers"] = ordered_json::array();
  for (auto& l : m.layers)
    j["layers"].push_back(descriptor_to_json(l));
  if (m.subject)
    j["subject"] = descriptor_to_json(*m.subject);
  if (!m.annotations.empty())
    j["annotations"] = m.annotations;
  std::string media_type =
      m.media_type.empty() ? std::string(media_type::k_oci_manifest) : m.media_type;
  return ManifestBytes::from(media_type, dump(j));
}

Result<ManifestBytes> encode_index(const ImageIndex& index) {
  TRY_VOID(check_docker_fields(index.media_type, index.artifact_type, index.subject,
                               index.annotations, "manifest list"));
  ordered_json j;
  j["schemaVersion"] = index.schema_version;
  if (!index.media_type.empty())
    j["mediaType"] = index.media_type;
  if (!index.artifact_type.empty())
    j["artifactType"] = index.artifact_type;
  j["manifests"] = ordered_json::array();
  for (auto& d : index.manifests)
    j["manifests"].push_back(descriptor_to_json(d));
  if (index.subject)
    j["subject"] = descriptor_to_json(*index.subject);
  if (!index.annotations.empty())
    j["annotations"] = index.annotations;
  std::string media_type =
      index.media_type.empty() ? std::string(media_type::k_oci_index) : index.media_type;
  return ManifestBytes::from(media_type, dump(j));
}

Result<std::string> detect_manifest_media_type(std::string_view bytes,
                                               std::string_view content_type,
                                               std::string_view where) {
  std::string header(util::trim(content_type.substr(0, content_type.find(';'))));
  if (is_schema1(header))
    return fail(std::string(where) +
                " is a Docker schema 1 manifest, which is not supported; re-push the image "
                "with a current Docker or buildx");
  json j = TRY(parse_json_object(bytes, where));
  TRY_VOID(check_schema_version(j, where));
  std::string field = TRY(media_type_field(j, where));
  if (!field.empty()) {
    if (!header.empty() && header != "application/json" && header != "application/octet-stream" &&
        header != field)
      return fail(std::string(where) + ": the server said Content-Type \"" + header +
                  "\" but the document's mediaType is \"" + field +
                  "\"; the registry or a proxy is serving inconsistent content");
    if (!is_manifest(field) && !is_index(field))
      return fail(std::string(where) + " has unsupported mediaType \"" + field +
                  "\"; expected an OCI or Docker image manifest or index");
    return field;
  }
  if (is_manifest(header) || is_index(header))
    return header;
  if (j.contains("manifests"))
    return std::string(media_type::k_oci_index);
  if (j.contains("config"))
    return std::string(media_type::k_oci_manifest);
  return fail(std::string(where) +
              " is neither an image manifest nor an index (no mediaType, config or manifests)");
}

MediaFamily choose_index_family(const std::vector<Descriptor>& children) {
  if (children.empty())
    return MediaFamily::oci;
  for (auto& c : children)
    if (c.media_type != media_type::k_docker_manifest &&
        c.media_type != media_type::k_docker_manifest_list)
      return MediaFamily::oci;
  return MediaFamily::docker;
}

bool is_attestation_entry(const Descriptor& d) {
  auto it = d.annotations.find("vnd.docker.reference.type");
  return it != d.annotations.end() && it->second == "attestation-manifest";
}

std::optional<size_t> select_platform(const ImageIndex& index, const Platform& wanted,
                                      PlatformMatch mode) {
  std::optional<size_t> best;
  int best_rank = 0;
  for (size_t i = 0; i < index.manifests.size(); ++i) {
    const Descriptor& d = index.manifests[i];
    if (!d.platform || is_attestation_entry(d))
      continue;
    auto rank = platform_match_rank(wanted, *d.platform, mode);
    if (rank && (!best || *rank < best_rank)) {
      best = i;
      best_rank = *rank;
    }
  }
  return best;
}

} // namespace xbuild::oci
