#pragma once
// Outputs of a build (`-o`, `--push`, `--load`, `-t`), as buildx defines them:
//   type=image[,name=…][,push=true]  store the image; push it when asked
//   type=registry                    = type=image,push=true
//   type=oci,dest=F[,tar=false]      an OCI layout tarball (or directory)
//   type=docker,dest=F               a `docker load` tarball (one platform)
//   type=local,dest=D                the root filesystem (per-platform subdirs)
//   type=tar,dest=F                  the root filesystem as a tar
// A bare path means type=local,dest=PATH; "-" means type=tar,dest=-.

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "engine/build/request.hpp"
#include "engine/build/state.hpp"
#include "engine/export/docker_load.hpp"
#include "oci/manifest.hpp"

namespace xbuild::engine::exporter {

struct OutputSpec {
  std::string type;
  std::map<std::string, std::string> attrs;
  std::string attr(const std::string& key, const std::string& fallback = "") const {
    auto it = attrs.find(key);
    return it == attrs.end() ? fallback : it->second;
  }
};

Result<OutputSpec> parse_output(const std::string& text);

// The image(s) in the content store: one manifest per platform and, for
// several platforms, an index over them.
struct StoredResult {
  oci::ManifestBytes root;                   // index, or the only manifest
  std::vector<oci::Descriptor> manifests;    // per platform, with platform set
  std::vector<oci::Digest> configs;          // per platform
};

Result<StoredResult> store_result(build::EngineState& state, const build::BuildResult& result,
                                  oci::MediaFamily family);

struct ExportRequest {
  std::vector<OutputSpec> outputs;
  std::vector<std::string> tags;            // -t
  std::filesystem::path docker_config_dir;  // registry credentials
  const util::CancelSource* cancel = nullptr;
  DockerDaemon docker;                      // for type=docker without dest (--load)
};

// What `--metadata-file` reports.
struct ExportMetadata {
  std::string image_name;                 // comma-joined tags
  oci::Descriptor descriptor;             // of the root
  std::optional<oci::Digest> config;      // single-platform builds
  std::vector<std::string> pushed;        // references pushed
  std::string loaded;                     // what the Docker Engine said on --load
};

Result<ExportMetadata> export_result(build::EngineState& state, const build::BuildResult& result,
                                     const StoredResult& stored, const ExportRequest& request);

} // namespace xbuild::engine::exporter
