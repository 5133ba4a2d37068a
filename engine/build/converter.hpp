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

struct Plan {
  solver::Graph graph;
  std::vector<PlatformPlan> platforms;
  std::vector<std::string> warnings;
};

Result<std::unique_ptr<Plan>> plan_build(const BuildRequest& request,
                                         std::shared_ptr<const OpEnv> env, ImageSource& images);

} // namespace xbuild::engine::build
