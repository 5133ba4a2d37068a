#pragma once
// What a RUN instruction executes, heredocs included, as BuildKit runs it.

#include <string>
#include <vector>

#include "engine/dockerfile/instructions.hpp"
#include "util/error.hpp"

namespace xbuild::engine::dockerfile {

struct RunScript {
  std::vector<std::string> argv; // the process to start
  // When non-empty, write `file_content` to `file_path` (mode 0755) inside
  // the container before starting `argv` (a heredoc with a #! line).
  std::string file_path;
  std::string file_content;
};

// Exec form runs its arguments; shell form runs `shell + [command]`.
// `RUN <<EOF` alone runs the body as the script (or, with a `#!` line,
// writes it to /dev/pipes/<name> and executes that); any other command with
// heredocs gets the bodies appended as shell here-documents, so the shell
// handles `<<-`, quoting and expansion itself.
RunScript run_script(const RunCmd& run, const std::vector<std::string>& shell);

} // namespace xbuild::engine::dockerfile
