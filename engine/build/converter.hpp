#pragma once
// Dockerfile → build graph. For each requested platform, the stages the
// target needs become solver vertices (base image layers, RUN, COPY/ADD,
// WORKDIR) and the config-only instructions (ENV, CMD, LABEL, …) become the
// image config. Identical work across platforms and stages is one vertex
// (solver::Graph deduplicates by definition).

#include <memory>
#include <vector>

#include "engine/build/image_source.hpp"
#include "engine/build/ops.hpp"
#include "engine/build/request.hpp"
#include "engine/solver/graph.hpp"

namespace xbuild::engine::build {

// One instruction's history entry; whether it made a layer is known only
// after the solve (a step that changed nothing adds no layer).
struct PendingHistory {
  oci::HistoryEntry entry;
  solver::Vertex* before = nullptr; // the stage's vertex before the step
  solver::Vertex* after = nullptr;  // after it; equal to before for config-only steps
};

struct PlatformPlan {
  oci::Platform platform;
  solver::Vertex* root = nullptr; // nullptr: an empty filesystem (scratch)
  oci::ImageConfig config;
  std::vector<PendingHistory> history; // this build's steps, in order
};

// One graph for every request of a run (a bake), so identical work across
// targets is one vertex and runs once.
struct Plan {
  solver::Graph graph;
  std::vector<std::vector<PlatformPlan>> requests; // per request, per platform
  std::vector<std::string> warnings;
};

// Adds `request` (index `index` in the run) to `plan`. Requests it links to
// (NamedContext::linked) must have been added before.
Result<void> plan_build(Plan& plan, size_t index, const BuildRequest& request,
                        std::shared_ptr<const OpEnv> env, ImageSource& images);

} // namespace xbuild::engine::build
