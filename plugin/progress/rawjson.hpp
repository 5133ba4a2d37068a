#pragma once
// `--progress=rawjson`: each event becomes one line holding a BuildKit
// SolveStatus object, the shape buildx prints:
//   {"vertexes":[{"digest","inputs","name","started","completed","cached","error"}],
//    "statuses":[{"id","vertex","name","current","total","timestamp","started","completed"}],
//    "logs":[{"vertex","stream","data"(base64),"timestamp"}],
//    "warnings":[{"vertex","level","short"(base64),"detail"([]base64),"url"}]}
// Empty lists and unset times are omitted, as Go's omitempty does.

#include <mutex>

#include "plugin/progress/renderer.hpp"

namespace xbuild::plugin {

class RawJsonRenderer : public Renderer {
public:
  explicit RawJsonRenderer(FILE* out) : m_out(out) {}
  void vertex(const engine::VertexEvent& e) override;
  void log(const engine::LogEvent& e) override;
  void status(const engine::StatusEvent& e) override;
  void warning(const engine::WarningEvent& e) override;

private:
  void emit(const std::string& line);
  FILE* m_out;
  std::mutex m_mutex;
};

} // namespace xbuild::plugin
