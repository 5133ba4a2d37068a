// `imagetools inspect`: fetch, then render as buildx does.

#include <nlohmann/json.hpp>

#include "oci/registry/imagetools.hpp"
#include "util/strings.hpp"

namespace xbuild::oci::registry {
namespace {

using nlohmann::ordered_json;

std::string platform_of_config(const std::string& config) {
  auto j = nlohmann::json::parse(config, nullptr, false);
  if (j.is_discarded() || !j.is_object())
    return "";
  std::string p = j.value("os", std::string()) + "/" + j.value("architecture", std::string());
  if (auto v = j.value("variant", std::string()); !v.empty())
    p += "/" + v;
  return p;
}

ordered_json parse_ordered(const std::string& text) {
  auto j = ordered_json::parse(text, nullptr, false);
  return j.is_discarded() ? ordered_json() : j;
}

// The data a --format template sees.
ordered_json template_data(const InspectedImage& image) {
  ordered_json data;
  data["Name"] = image.ref.str();
  data["Manifest"] = parse_ordered(image.root.bytes);
  if (is_index(image.root.media_type)) {
    ordered_json images = ordered_json::object();
    for (const auto& e : image.entries)
      if (!e.config.empty() && e.descriptor.platform)
        images[e.descriptor.platform->str()] = parse_ordered(e.config);
    data["Image"] = images;
  } else if (!image.entries.empty() && !image.entries[0].config.empty()) {
    data["Image"] = parse_ordered(image.entries[0].config);
  }
  return data;
}

// Field lookup that also accepts Go's exported names (MediaType → mediaType).
const ordered_json* field(const ordered_json& j, const std::string& name) {
  if (!j.is_object())
    return nullptr;
  if (auto it = j.find(name); it != j.end())
    return &*it;
  std::string lower = name;
  if (!lower.empty())
    lower[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(lower[0])));
  if (auto it = j.find(lower); it != j.end())
    return &*it;
  for (auto it = j.begin(); it != j.end(); ++it)
    if (util::to_lower(it.key()) == util::to_lower(name))
      return &*it;
  return nullptr;
}

Result<std::string> eval_action(const ordered_json& data, std::string action) {
  action = std::string(util::trim(action));
  bool as_json = false;
  if (util::starts_with(action, "json ")) {
    as_json = true;
    action = std::string(util::trim(action.substr(5)));
  }
  if (action.empty() || action[0] != '.')
    return fail("unsupported template action {{" + action +
                "}}: use {{.Name}}, {{.Manifest}}, {{.Image}}, a field path or {{json .X}}");
  const ordered_json* cur = &data;
  for (const auto& part : util::split(action.substr(1), '.')) {
    if (part.empty())
      continue;
    cur = field(*cur, part);
    if (!cur)
      return fail("template: no field \"" + part + "\" in " + action);
  }
  if (as_json || !cur->is_string())
    return cur->is_null() && !as_json ? std::string("<no value>") : cur->dump();
  return cur->get<std::string>();
}

} // namespace

Result<InspectedImage> inspect_image(RegistryClient& client, const Reference& ref,
                                     bool with_configs) {
  InspectedImage out;
  out.ref = ref;
  Repo repo = Repo::of(ref);
  out.root = TRY(client.get_manifest(repo, ref.tag_or_digest()));
  auto config_of = [&](const ManifestBytes& m) -> Result<std::string> {
    auto manifest = TRY(parse_image_manifest(m.bytes, ref.str() + "@" + m.digest.str()));
    return client.fetch_blob_bytes(repo, manifest.config);
  };
  if (is_index(out.root.media_type)) {
    auto index = TRY(parse_image_index(out.root.bytes, ref.str()));
    for (const auto& d : index.manifests) {
      InspectedImage::Entry e{d, ""};
      if (with_configs && is_manifest(d.media_type) && !is_attestation_entry(d)) {
        auto m = TRY(client.get_manifest(repo, d.digest.str()));
        e.config = TRY(config_of(m));
      }
      out.entries.push_back(std::move(e));
    }
  } else {
    InspectedImage::Entry e{out.root.descriptor(), ""};
    if (with_configs && is_manifest(out.root.media_type))
      e.config = TRY(config_of(out.root));
    out.entries.push_back(std::move(e));
  }
  return out;
}

std::string render_pretty(const InspectedImage& image) {
  std::string out;
  out += "Name:      " + image.ref.str() + "\n";
  out += "MediaType: " + image.root.media_type + "\n";
  out += "Digest:    " + image.root.digest.str() + "\n";
  if (!is_index(image.root.media_type))
    return out;
  auto index = parse_image_index(image.root.bytes, image.ref.str());
  if (index && !index->annotations.empty()) {
    out += "Annotations:\n";
    for (const auto& [k, v] : index->annotations)
      out += "  " + k + ": " + v + "\n";
  }
  out += "\nManifests:\n";
  bool first = true;
  for (const auto& e : image.entries) {
    if (!first)
      out += "\n";
    first = false;
    out += "  Name:        " + image.ref.name() + "@" + e.descriptor.digest.str() + "\n";
    out += "  MediaType:   " + e.descriptor.media_type + "\n";
    std::string platform = e.descriptor.platform ? e.descriptor.platform->str() : "";
    if (platform.empty() && !e.config.empty())
      platform = platform_of_config(e.config);
    if (is_attestation_entry(e.descriptor))
      platform = "unknown/unknown";
    if (!platform.empty())
      out += "  Platform:    " + platform + "\n";
    if (!e.descriptor.annotations.empty()) {
      out += "  Annotations:\n";
      for (const auto& [k, v] : e.descriptor.annotations)
        out += "    " + k + ": " + v + "\n";
    }
  }
  return out;
}

Result<std::string> render_format(const InspectedImage& image, const std::string& format) {
  auto data = template_data(image);
  std::string out;
  size_t pos = 0;
  while (pos < format.size()) {
    auto open = format.find("{{", pos);
    if (open == std::string::npos) {
      out += format.substr(pos);
      break;
    }
    out += format.substr(pos, open - pos);
    auto close = format.find("}}", open + 2);
    if (close == std::string::npos)
      return fail("template: unclosed action in \"" + format + "\"");
    out += TRY(eval_action(data, format.substr(open + 2, close - open - 2)));
    pos = close + 2;
  }
  return out;
}

} // namespace xbuild::oci::registry
