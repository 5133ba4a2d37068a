#pragma once
// Walks stages in order and applies ARG/ENV semantics: which value every
// variable has at every instruction, and the instructions with the fields
// the builder expands (not RUN/CMD/ENTRYPOINT: the shell expands those).

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "engine/dockerfile/shell_lexer.hpp"
#include "engine/dockerfile/stage_graph.hpp"

namespace xbuild::engine::dockerfile {

using EnvList = std::vector<std::pair<std::string, std::string>>;

// A reference to an unset variable in an expanded field (lint UndefinedVar).
struct VariableUse {
  std::string name;
  int line = 0;
  size_t stage = 0;
};

struct EvaluatedStage {
  size_t index = 0;
  std::vector<Instruction> instructions; // expanded copies, same order as Stage::instructions
  std::vector<EnvList> env_at;           // variables visible to each instruction (RUN env)
  EnvList env;                           // ENV at the end of the stage (image config)
  EnvList args;                          // declared ARGs with values at the end
  // Proxy build args (HTTP_PROXY, …) passed to RUN without being declared:
  // they reach the process but stay out of cache keys and history.
  EnvList proxy_env;
};

struct Evaluation {
  std::vector<EvaluatedStage> stages; // one per stage, by index
  std::vector<VariableUse> undefined;
  std::vector<std::string> unused_build_args; // sorted
  // SOURCE_DATE_EPOCH from --build-arg, else from a global ARG default.
  std::optional<std::string> source_date_epoch;
};

// Build args every builder accepts without an ARG line.
bool is_builtin_build_arg(std::string_view name);

// Evaluates every stage (inheritance follows FROM <stage>). Errors are
// expansion failures located at their line.
// `image_env` gives, by stage index, the ENV of a stage's base image (FROM
// <image>), which its instructions see before their own ENV lines.
Result<Evaluation> evaluate(const StageGraph& graph, const GlobalScope& scope,
                            std::string_view filename = "Dockerfile",
                            const std::map<size_t, EnvList>& image_env = {});

// A heredoc body as the builder uses it: leading tabs stripped for `<<-`,
// `$` references expanded with `env` unless the delimiter was quoted
// (quotes and backslashes in the body stay as written).
Result<std::string> heredoc_content(const Heredoc& heredoc, const EnvLookup& env);

} // namespace xbuild::engine::dockerfile
