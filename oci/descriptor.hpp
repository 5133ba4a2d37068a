#pragma once
// Descriptors: typed, sized, digested pointers to content.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "oci/digest.hpp"
#include "oci/platform.hpp"
#include "util/error.hpp"

namespace xbuild::oci {

using Annotations = std::map<std::string, std::string>;

// Invariants of a parsed or constructed descriptor: media_type is non-empty,
// digest is a valid sha256 digest, size >= 0 is the byte length of the
// content the digest names. platform is set only on entries of an index.
struct Descriptor {
  std::string media_type;
  Digest digest;
  int64_t size = 0;
  std::vector<std::string> urls;
  Annotations annotations;
  std::optional<std::string> data; // base64 of the content, as in the JSON
  std::string artifact_type;       // "" = absent
  std::optional<Platform> platform;

  bool operator==(const Descriptor&) const = default;
};

// A descriptor for `bytes` of type `media_type`.
Descriptor descriptor_for(std::string media_type, std::string_view bytes);

// JSON mapping, field order as the Go image-spec types write it.
// `where` names the location for error messages ("manifest …, layers[1]").
Result<Descriptor> descriptor_from_json(const nlohmann::json& j, std::string_view where);
nlohmann::ordered_json descriptor_to_json(const Descriptor& d);
Result<Platform> platform_from_json(const nlohmann::json& j, std::string_view where);
nlohmann::ordered_json platform_to_json(const Platform& p);
Result<Annotations> annotations_from_json(const nlohmann::json& j, std::string_view where);

} // namespace xbuild::oci
