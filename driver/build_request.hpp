#pragma once
// The boundary between "what to build" (plugin, bakefile) and "where it is
// built" (a driver): one request shape for every driver, one result shape.

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "engine/export/docker_load.hpp"
#include "util/error.hpp"

namespace xbuild::engine {
class ProgressSink;
}
namespace xbuild::util {
class CancelSource;
}

namespace xbuild::driver {

struct BuildRequest {
  std::string name;                       // bake target name ("" for `build`)
  std::string context_path;               // directory ("-": stdin Dockerfile, no context)
  std::string dockerfile_path;            // "" = <context>/Dockerfile
  std::string dockerfile_text;            // when read from stdin
  std::map<std::string, std::string> build_args;
  std::string target;
  std::vector<std::string> platforms;     // "linux/amd64" …; empty = the node's
  std::vector<std::string> tags;
  std::vector<std::string> outputs;       // -o specs, after --push/--load shorthands
  std::vector<std::string> secrets;       // --secret specs
  std::vector<std::string> labels;        // KEY=VALUE
  // --build-context / bake contexts: NAME=docker-image://REF,
  // NAME=oci-layout://DIR[:TAG], or (bake) NAME=target:OTHER.
  std::vector<std::string> build_contexts;
  bool no_cache = false;
  std::vector<std::string> no_cache_filter;
  size_t max_parallelism = 0;
  std::filesystem::path docker_config_dir;
  engine::exporter::DockerDaemon docker; // the current context's engine (--load)
};

struct BuildResult {
  std::string image_digest;        // containerimage.digest
  std::string descriptor_json;     // containerimage.descriptor
  std::string config_digest;       // containerimage.config.digest ("" for multi-platform)
  std::string image_name;          // image.name
  std::string loaded;              // the Docker Engine's answer to --load
  std::vector<std::string> warnings;
  size_t vertices = 0, executed = 0;
};

struct BuildEnv {
  engine::ProgressSink* progress = nullptr;
  const util::CancelSource* cancel = nullptr;
};

// The embedded engine (`local` driver) with its state in `state_dir`.
Result<BuildResult> build_local(const std::filesystem::path& state_dir, const BuildRequest& request,
                                const BuildEnv& env);

// Several requests in one run (bake): one graph, one solve, so shared work
// runs once; `target:NAME` contexts link to earlier requests by name.
Result<std::vector<BuildResult>> build_local_many(const std::filesystem::path& state_dir,
                                                  const std::vector<BuildRequest>& requests,
                                                  const BuildEnv& env);

// buildx's --secret: [type=file,]id=ID[,src=PATH] | [type=env,]id=ID[,env=VAR];
// env secrets are written to `scratch` (0600) so they can be mounted.
Result<std::map<std::string, std::string>> resolve_secrets(const std::vector<std::string>& specs,
                                                           const std::filesystem::path& scratch);

} // namespace xbuild::driver
