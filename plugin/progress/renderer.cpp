#include "plugin/progress/renderer.hpp"

#include <cstdlib>
#include <unistd.h>

#include "plugin/progress/plain.hpp"
#include "plugin/progress/rawjson.hpp"
#include "plugin/progress/tty.hpp"

namespace xbuild::plugin {
namespace {

class QuietRenderer : public Renderer {
public:
  void vertex(const engine::VertexEvent&) override {}
  void log(const engine::LogEvent&) override {}
};

} // namespace

Result<ProgressMode> parse_progress_mode(const std::string& flag, FILE* out) {
  std::string mode = flag;
  if (mode.empty() || mode == "auto") {
    const char* env = std::getenv("BUILDKIT_PROGRESS");
    mode = env && *env ? env : "auto";
  }
  if (mode == "auto")
    return ::isatty(::fileno(out)) ? ProgressMode::tty : ProgressMode::plain;
  if (mode == "plain")
    return ProgressMode::plain;
  if (mode == "tty")
    return ProgressMode::tty;
  if (mode == "quiet" || mode == "none")
    return ProgressMode::quiet;
  if (mode == "rawjson")
    return ProgressMode::rawjson;
  return fail("invalid progress mode \"" + mode + "\": use auto, plain, tty, quiet or rawjson",
              125);
}

std::unique_ptr<Renderer> make_renderer(ProgressMode mode, FILE* out) {
  switch (mode) {
  case ProgressMode::plain:
    return std::make_unique<PlainRenderer>(out);
  case ProgressMode::tty:
    return std::make_unique<TtyRenderer>(out);
  case ProgressMode::rawjson:
    return std::make_unique<RawJsonRenderer>(out);
  case ProgressMode::quiet:
    break;
  }
  return std::make_unique<QuietRenderer>();
}

} // namespace xbuild::plugin
