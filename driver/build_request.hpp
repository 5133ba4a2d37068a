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
  // Options given that the embedded engine does not implement yet (external
  // cache import/export, SSH forwarding, attestations), as the user wrote
  // them ("--cache-from", "cache-to"...): the build warns and goes on.
  std::vector<std::string> ignored;
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
  // Set when the caller already knows the request must not be built (bake:
  // a lint violation with `check=error=true`): it fails with this error
  // like a request that cannot be prepared, and its linked users are skipped.
  std::optional<Error> refused;
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

// bake --execution.
enum class Execution {
  fail_fast, // the first failure stops everything; nothing is exported
  keep_going, // targets that do not need the failure are built and exported
};

struct ManyOptions {
  Execution execution = Execution::fail_fast;
  size_t max_concurrent = 0; // targets building at once (0: no limit)
};

// How one request of build_local_many_partial ended.
struct TargetOutcome {
  enum class State {
    built,    // built and exported: `result`
    failed,   // preparing, building or exporting it failed: `error`
    skipped,  // it links to a target that was not built: `blocked_by`
    canceled, // fail-fast: not built or not exported because `blocked_by` failed
  };
  State state = State::built;
  BuildResult result;
  Error error;
  std::string blocked_by; // the failed target (its name) behind a skip or cancel
};

// build_local_many with per-target outcomes. Outputs are written only after
// the whole graph is solved, in request order. fail-fast: any failure means
// no output at all (a failed export stops the exports after it). keep_going:
// every target whose own work succeeded is exported. Errors are returned
// only for what concerns the whole run (state dir, cancellation: 130).
Result<std::vector<TargetOutcome>> build_local_many_partial(
    const std::filesystem::path& state_dir, const std::vector<BuildRequest>& requests,
    const BuildEnv& env, const ManyOptions& options);

// buildx's --secret: [type=file,]id=ID[,src=PATH] | [type=env,]id=ID[,env=VAR];
// env secrets are written to `scratch` (0600) so they can be mounted.
Result<std::map<std::string, std::string>> resolve_secrets(const std::vector<std::string>& specs,
                                                           const std::filesystem::path& scratch);

} // namespace xbuild::driver
