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
// them. Results are in request order; the first failure is the error.
Result<std::vector<BuildOutcome>> run_builds(const std::vector<BuildRequest>& requests,
                                             const BuildContext& ctx);

// What happens to the other requests when one fails.
enum class Execution {
  fail_fast, // the first failure stops all work
  contain,   // requests that do not need the failed work still finish
};

struct RunOptions {
  Execution execution = Execution::fail_fast;
  size_t max_concurrent = 0; // requests building at once (0: no limit)
};

// How one request of a run ended.
struct RequestOutcome {
  enum class State {
    built,   // `outcome` holds its images
    failed,  // `error`: planning it, or a vertex it needs, failed
    skipped, // a request it links to was not built: `blocked_by`
    stopped, // fail-fast: not finished because another request failed first
  };
  State state = State::built;
  BuildOutcome outcome;
  Error error;
  size_t blocked_by = 0; // skipped: the failed request at the root of the chain
};

// run_builds where a failure is an outcome per request. A request fails when
// its Dockerfile cannot be planned or a vertex it needs fails (a stage
// shared with a failed request fails it too); a request linking to one that
// was not built is skipped. Only cancellation is an error.
Result<std::vector<RequestOutcome>> run_builds_partial(const std::vector<BuildRequest>& requests,
                                                       const BuildContext& ctx,
                                                       const RunOptions& options);

} // namespace xbuild::engine::build
