#pragma once
// What the embedded engine is asked to build, and what it hands back.

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "oci/image_config.hpp"
#include "oci/media_types.hpp"
#include "oci/platform.hpp"

namespace xbuild::engine {
class ProgressSink;
}
namespace xbuild::util {
class CancelSource;
}

namespace xbuild::engine::build {

// `--build-context name=VALUE` / bake `contexts`: what a FROM, COPY --from
// or RUN --mount from= naming `name` refers to.
struct NamedContext {
  enum class Kind {
    image,      // docker-image://REF: a registry image
    oci_layout, // oci-layout://DIR[:TAG|@DIGEST]: an image in a local OCI layout
    linked,     // bake `target:NAME`: another request of the same build
  };
  Kind kind = Kind::image;
  std::string value;  // the reference or the layout (without the scheme)
  size_t linked = 0;  // Kind::linked: index of the request in the same run
};

struct BuildRequest {
  std::string dockerfile;                 // the Dockerfile's text
  std::string dockerfile_name = "Dockerfile"; // for messages
  std::filesystem::path dockerfile_path;  // for <Dockerfile>.dockerignore ("" = none)
  std::filesystem::path context_dir;      // "" = no context (COPY fails)
  std::map<std::string, std::string> build_args;
  std::string target;                     // "" = last stage
  std::vector<oci::Platform> platforms;   // empty = the host's
  bool no_cache = false;
  std::vector<std::string> no_cache_filter; // stage names built without cache
  std::map<std::string, std::string> secrets; // id → host file
  std::map<std::string, std::string> labels;
  std::optional<int64_t> source_date_epoch;
  oci::Compression compression = oci::Compression::gzip;
  int compression_level = -1;
  size_t max_parallelism = 0;
  std::filesystem::path docker_config_dir; // credentials for base images
  std::map<std::string, NamedContext> contexts;
};

struct PlatformImage {
  oci::Platform platform;
  std::string ref;          // layer stack (chain id), "" for an empty image
  oci::ImageConfig config;  // complete but for diff_ids (filled at export)
};

struct BuildResult {
  std::vector<PlatformImage> images; // one per requested platform, same order
};

} // namespace xbuild::engine::build
