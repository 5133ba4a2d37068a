#pragma once
// The live terminal view, in BuildKit's style:
//   [+] Building 3.2s (4/6)
//    => [build 1/3] FROM docker.io/library/busybox              0.1s
//    => CACHED [build 2/3] COPY . /src                          0.0s
//    => [build 3/3] RUN make                                    2.9s
//    => => # last lines of the running step's output
// A thread redraws the frame ten times a second, moving the cursor back over
// the previous frame; finish() draws the final frame without log tails.

#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>
#include <vector>

#include "plugin/progress/renderer.hpp"

namespace xbuild::plugin {

class TtyRenderer : public Renderer {
public:
  explicit TtyRenderer(FILE* out);
  ~TtyRenderer() override;
  void vertex(const engine::VertexEvent& e) override;
  void log(const engine::LogEvent& e) override;
  void warning(const engine::WarningEvent& e) override;
  void finish() override;

private:
  struct Step {
    engine::VertexEvent event;
    std::deque<std::string> tail; // last output lines
    std::string partial;
  };
  void loop();
  void draw(bool final);
  std::string step_line(const Step& s, engine::Clock::time_point now, size_t width) const;

  FILE* m_out;
  std::mutex m_mutex;
  std::condition_variable m_cv;
  std::vector<Step> m_steps; // in first-seen order
  std::vector<std::string> m_warnings;
  engine::Clock::time_point m_start;
  size_t m_drawn_lines = 0;
  bool m_stop = false;
  bool m_finished = false;
  std::thread m_thread;
};

} // namespace xbuild::plugin
