#pragma once
// Stages of a Dockerfile and the dependencies between them: what the engine
// builds, in which order, and which stages a `--target` never needs.

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "engine/dockerfile/instructions.hpp"

namespace xbuild::engine::dockerfile {

// Why one stage needs another.
enum class DepKind { from, copy_from, mount_from };

struct StageDep {
  size_t stage;  // index of the stage depended on
  DepKind kind;
  int line;      // where the reference is written
};

// One `FROM … [AS name]` and the instructions up to the next FROM.
// Invariants: `index` is the position in StageGraph::stages; `name` is
// lower case or empty; `base_stage` is set iff `base` names an earlier stage.
struct Stage {
  size_t index = 0;
  std::string name;
  std::string base;     // FROM argument after expanding global ARGs
  std::string platform; // --platform after expanding global ARGs ("" = target)
  Instruction from;
  std::vector<Instruction> instructions; // after FROM
  std::optional<size_t> base_stage;
  std::vector<StageDep> deps;
  std::string description; // from a `# name description` comment above FROM

  // `name`, or the index as a string for unnamed stages.
  std::string display_name() const { return name.empty() ? std::to_string(index) : name; }
};

struct StageGraph {
  std::vector<Instruction> global_args; // ARG instructions before the first FROM
  std::vector<Stage> stages;

  // A stage by name (case-insensitive) or by index ("0").
  std::optional<size_t> find(std::string_view name_or_index) const;
  // Stages `target` needs (itself included), dependencies first. "" means
  // the last stage. Errors for an unknown target or a dependency cycle.
  Result<std::vector<size_t>> build_order(std::string_view target) const;
  // Human-readable summary: one line per stage with its dependencies.
  std::string dump() const;
};

// Values that FROM lines may use: global ARGs, overridden by build args,
// plus the predefined platform ARGs.
struct GlobalScope {
  std::map<std::string, std::string> build_args;
  std::string target_platform = "linux/amd64";
  std::string build_platform = "linux/amd64";
};

// The platform ARGs (TARGETPLATFORM, TARGETOS, …) for a scope.
std::map<std::string, std::string> platform_args(const GlobalScope& scope);

// Global ARG values in declaration order (platform ARGs first), as FROM
// lines see them.
std::vector<std::pair<std::string, std::string>> global_variables(const std::vector<Instruction>& args,
                                                                  const GlobalScope& scope);

// Recomputes COPY --from / RUN --mount from= dependencies (after ONBUILD
// triggers were inserted).
void link_stage_references(StageGraph& graph);

// Splits instructions into stages, expands FROM lines and links stages.
// ONBUILD triggers of base images are applied later by `apply_onbuild`.
Result<StageGraph> build_stage_graph(std::vector<Instruction> instructions, const ParseResult& ast,
                                     const GlobalScope& scope);

// Inserts a base image's ONBUILD triggers right after the stage's FROM.
// Triggers may not be FROM, MAINTAINER or ONBUILD.
Result<void> apply_onbuild(Stage& stage, const std::vector<std::string>& triggers);
// The same on a graph: triggers may use `COPY --from`/`--mount from=` to
// name stages of this Dockerfile (1.11+), so dependencies are recomputed.
Result<void> apply_onbuild(StageGraph& graph, size_t stage, const std::vector<std::string>& triggers);

} // namespace xbuild::engine::dockerfile
