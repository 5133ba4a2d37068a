#pragma once
// `bake --call=check|outline|targets` and `bake --check`: buildx turns them
// into the override `*.call=METHOD`; every target whose `call` is not
// `build` is answered through the same front-end subrequest as
// `build --call` (engine/dockerfile/subrequest), without building it.

#include <cstdio>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "engine/dockerfile/subrequest.hpp"

namespace xbuild::plugin {

// The targets of a `--print` document whose `call` is a subrequest (not
// `build`), sorted by name.
std::vector<std::string> bake_call_targets(const nlohmann::json& print);

// The Dockerfile subrequest input for one printed target: its Dockerfile
// (inline, or <context>/<dockerfile>), args, stage and first platform.
Result<engine::dockerfile::CallRequest> bake_call_request(const nlohmann::json& target,
                                                          const std::string& host_platform);

// Answers every call target. Text: per target its name, its description,
// a blank line and the answer, targets separated by a blank line. JSON
// (format=json on the flag): {"group": …, "target": {NAME: {"build": <the
// printed target>, "<method>": <answer>}}}. `flag` carries the flag's
// format and ignorestatus, which apply to every target. Returns the exit
// code: the first non-zero answer's (a check with warnings is 1), 1 when a
// target cannot be answered.
int run_bake_calls(const nlohmann::json& print, const engine::dockerfile::CallOptions& flag,
                   const std::string& host_platform, FILE* out);

// `print` without the call targets, keeping a call target only where a
// built target links to it: what is left to build.
nlohmann::json bake_build_part(const nlohmann::json& print);

} // namespace xbuild::plugin
