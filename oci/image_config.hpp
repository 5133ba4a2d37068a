#pragma once
// The image configuration blob (OCI image config / Docker container config).
//
// Fields we do not model (Healthcheck, OnBuild, Shell, container_config, …)
// are kept as JSON text and written back, so editing a base image's config
// (as a build does) never drops what another tool put there.

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "oci/digest.hpp"
#include "oci/platform.hpp"
#include "util/error.hpp"

namespace xbuild::oci {

struct HistoryEntry {
  std::string created; // RFC 3339, "" = absent
  std::string author;
  std::string created_by;
  std::string comment;
  bool empty_layer = false;

  bool operator==(const HistoryEntry&) const = default;
};

// The "config" object: how to run the image. Optional vectors distinguish
// "not set" (null, inherit) from "set to empty" ([]), which Docker treats
// differently for Entrypoint and Cmd.
struct ContainerConfig {
  std::string user;
  std::vector<std::string> exposed_ports; // "80/tcp"
  std::vector<std::string> env;           // "KEY=value"
  std::optional<std::vector<std::string>> entrypoint;
  std::optional<std::vector<std::string>> cmd;
  std::vector<std::string> volumes;
  std::string working_dir;
  std::map<std::string, std::string> labels;
  std::string stop_signal;
  std::optional<bool> args_escaped;
  std::string extra_json; // JSON object of fields not modelled above ("" = none)

  bool operator==(const ContainerConfig&) const = default;
};

// Invariants: os and architecture non-empty; diff_ids lists the digests of
// the uncompressed layers, in manifest order.
struct ImageConfig {
  std::string created; // RFC 3339
  std::string author;
  std::string architecture;
  std::string os;
  std::string os_version;
  std::vector<std::string> os_features;
  std::string variant;
  ContainerConfig config;
  std::vector<Digest> diff_ids;
  std::vector<HistoryEntry> history;
  std::string extra_json; // JSON object of top-level fields not modelled above

  Platform platform() const;
  bool operator==(const ImageConfig&) const = default;
};

Result<ImageConfig> parse_image_config(std::string_view bytes, std::string_view where);
// Compact JSON; the bytes to store and push (their digest is the config's).
std::string encode_image_config(const ImageConfig& config);

} // namespace xbuild::oci
