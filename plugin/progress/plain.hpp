#pragma once
// BuildKit's plain progress format. Each vertex gets a number in the order
// it is first seen; lines are prefixed "#N". Log lines carry the seconds
// since the vertex started. A vertex's block ends with DONE, CACHED or ERROR.

#include <map>
#include <mutex>

#include "plugin/progress/renderer.hpp"

namespace xbuild::plugin {

class PlainRenderer : public Renderer {
public:
  explicit PlainRenderer(FILE* out) : m_out(out) {}
  void vertex(const engine::VertexEvent& e) override;
  void log(const engine::LogEvent& e) override;
  void status(const engine::StatusEvent& e) override;
  void warning(const engine::WarningEvent& e) override;

private:
  struct State {
    int number = 0;
    bool announced = false;
    engine::Clock::time_point started;
    std::string partial_line; // log bytes after the last newline
  };
  State& state(const std::string& digest);
  void announce(State& s, const std::string& name);

  FILE* m_out;
  std::mutex m_mutex;
  std::map<std::string, State> m_states;
  int m_next = 1;
  std::string m_last_vertex; // to separate blocks with a blank line
};

} // namespace xbuild::plugin
