#include "oci/descriptor.hpp"

#include <nlohmann/json.hpp>

namespace xbuild::oci {

using nlohmann::json;
using nlohmann::ordered_json;

namespace {

std::string field(std::string_view where, std::string_view name) {
  return std::string(where) + (where.empty() ? "" : ".") + std::string(name);
}

Result<std::string> optional_string(const json& j, std::string_view key, std::string_view where) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null())
    return std::string();
  if (!it->is_string())
    return fail(field(where, key) + " must be a string");
  return it->get<std::string>();
}

Result<std::vector<std::string>> string_list(const json& j, std::string_view key,
                                             std::string_view where) {
  std::vector<std::string> out;
  auto it = j.find(key);
  if (it == j.end() || it->is_null())
    return out;
  if (!it->is_array())
    return fail(field(where, key) + " must be an array of strings");
  for (auto& v : *it) {
    if (!v.is_string())
      return fail(field(where, key) + " must be an array of strings");
    out.push_back(v.get<std::string>());
  }
  return out;
}

} // namespace

Descriptor descriptor_for(std::string media_type, std::string_view bytes) {
  Descriptor d;
  d.media_type = std::move(media_type);
  d.digest = Digest::of(bytes);
  d.size = static_cast<int64_t>(bytes.size());
  return d;
}

Result<Annotations> annotations_from_json(const json& j, std::string_view where) {
  Annotations out;
  if (j.is_null())
    return out;
  if (!j.is_object())
    return fail(std::string(where) + " must be an object of string values");
  for (auto& [k, v] : j.items()) {
    if (!v.is_string())
      return fail(std::string(where) + "[\"" + k + "\"] must be a string");
    out[k] = v.get<std::string>();
  }
  return out;
}

Result<Platform> platform_from_json(const json& j, std::string_view where) {
  if (!j.is_object())
    return fail(std::string(where) + " must be an object with \"os\" and \"architecture\"");
  Platform p;
  p.os = TRY(optional_string(j, "os", where));
  p.architecture = TRY(optional_string(j, "architecture", where));
  p.variant = TRY(optional_string(j, "variant", where));
  p.os_version = TRY(optional_string(j, "os.version", where));
  p.os_features = TRY(string_list(j, "os.features", where));
  p.features = TRY(string_list(j, "features", where));
  if (p.os.empty() || p.architecture.empty())
    return fail(std::string(where) + " needs both \"os\" and \"architecture\"");
  return p;
}

ordered_json platform_to_json(const Platform& p) {
  ordered_json j;
  j["architecture"] = p.architecture;
  j["os"] = p.os;
  if (!p.os_version.empty())
    j["os.version"] = p.os_version;
  if (!p.os_features.empty())
    j["os.features"] = p.os_features;
  if (!p.variant.empty())
    j["variant"] = p.variant;
  if (!p.features.empty())
    j["features"] = p.features;
  return j;
}

Result<Descriptor> descriptor_from_json(const json& j, std::string_view where) {
  if (!j.is_object())
    return fail(std::string(where) + " must be a descriptor object");
  Descriptor d;
  d.media_type = TRY(optional_string(j, "mediaType", where));
  if (d.media_type.empty())
    return fail(field(where, "mediaType") + " is missing");
  auto digest_text = TRY(optional_string(j, "digest", where));
  if (digest_text.empty())
    return fail(field(where, "digest") + " is missing");
  d.digest = TRY(Digest::parse(digest_text, field(where, "digest")));
  auto size = j.find("size");
  if (size == j.end() || !size->is_number_integer() || size->get<int64_t>() < 0)
    return fail(field(where, "size") + " must be a non-negative integer");
  d.size = size->get<int64_t>();
  d.urls = TRY(string_list(j, "urls", where));
  if (auto a = j.find("annotations"); a != j.end())
    d.annotations = TRY(annotations_from_json(*a, field(where, "annotations")));
  if (auto data = j.find("data"); data != j.end() && !data->is_null()) {
    if (!data->is_string())
      return fail(field(where, "data") + " must be a base64 string");
    d.data = data->get<std::string>();
  }
  d.artifact_type = TRY(optional_string(j, "artifactType", where));
  if (auto p = j.find("platform"); p != j.end() && !p->is_null())
    d.platform = TRY(platform_from_json(*p, field(where, "platform")));
  return d;
}

ordered_json descriptor_to_json(const Descriptor& d) {
  ordered_json j;
  j["mediaType"] = d.media_type;
  j["digest"] = d.digest.str();
  j["size"] = d.size;
  if (!d.urls.empty())
    j["urls"] = d.urls;
  if (!d.annotations.empty())
    j["annotations"] = d.annotations;
  if (d.data)
    j["data"] = *d.data;
  if (d.platform)
    j["platform"] = platform_to_json(*d.platform);
  if (!d.artifact_type.empty())
    j["artifactType"] = d.artifact_type;
  return j;
}

} // namespace xbuild::oci
