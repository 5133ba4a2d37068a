#pragma once
// Progress renderers: turn engine events into what the user sees.
//   plain   BuildKit's plain output: "#N name", log lines, "#N DONE 1.2s"
//   tty     a live view of running steps on a terminal, plain summary after
//   quiet   nothing (errors still reach stderr through the command)
//   rawjson one BuildKit SolveStatus JSON object per line, as buildx prints
// `auto` is tty when the output is a terminal, else plain. BUILDKIT_PROGRESS
// sets the default.

#include <cstdio>
#include <memory>
#include <string>

#include "engine/progress.hpp"
#include "util/error.hpp"

namespace xbuild::plugin {

class Renderer : public engine::ProgressSink {
public:
  // Draws what is still pending (the tty view's last frame) and stops timers.
  virtual void finish() {}
};

enum class ProgressMode { plain, tty, quiet, rawjson };

// Resolves "auto"/"" (then BUILDKIT_PROGRESS) against whether `out` is a tty.
Result<ProgressMode> parse_progress_mode(const std::string& flag, FILE* out);
std::unique_ptr<Renderer> make_renderer(ProgressMode mode, FILE* out);

} // namespace xbuild::plugin
