#pragma once
// The embedded engine's entry point: a BuildRequest in, per-platform images
// (layer stack + config) out, with progress events along the way.

#include "engine/build/request.hpp"
#include "engine/build/state.hpp"

namespace xbuild::engine::build {

struct BuildContext {
  EngineState* state = nullptr;
  ProgressSink* progress = nullptr;
  const util::CancelSource* cancel = nullptr;
};

struct BuildOutcome {
  BuildResult result;
  std::vector<std::string> warnings;
  size_t vertices = 0;  // in the graph
  size_t executed = 0;  // that ran (not cached)
};

Result<BuildOutcome> run_build(const BuildRequest& request, const BuildContext& ctx);

// Several requests (a bake) as one graph and one solve: identical work is
// done once. Requests linking to others (NamedContext::linked) come after
// them. Results are in request order.
Result<std::vector<BuildOutcome>> run_builds(const std::vector<BuildRequest>& requests,
                                             const BuildContext& ctx);

} // namespace xbuild::engine::build
