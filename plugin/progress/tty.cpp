#include "plugin/progress/tty.hpp"

#include <sys/ioctl.h>
#include <unistd.h>

#include "util/strings.hpp"

namespace xbuild::plugin {
namespace {

constexpr size_t k_tail_lines = 6;

size_t terminal_width(FILE* out) {
  winsize ws{};
  if (::ioctl(::fileno(out), TIOCGWINSZ, &ws) == 0 && ws.ws_col > 20)
    return ws.ws_col;
  return 80;
}

double seconds(engine::Clock::duration d) { return std::chrono::duration<double>(d).count(); }

} // namespace

TtyRenderer::TtyRenderer(FILE* out) : m_out(out), m_start(engine::Clock::now()) {
  m_thread = std::thread([this] { loop(); });
}

TtyRenderer::~TtyRenderer() { finish(); }

void TtyRenderer::vertex(const engine::VertexEvent& e) {
  std::lock_guard lock(m_mutex);
  for (auto& s : m_steps)
    if (s.event.digest == e.digest) {
      s.event = e;
      return;
    }
  m_steps.push_back(Step{e, {}, {}});
}

void TtyRenderer::log(const engine::LogEvent& e) {
  std::lock_guard lock(m_mutex);
  for (auto& s : m_steps) {
    if (s.event.digest != e.vertex)
      continue;
    std::string text = s.partial + e.data;
    size_t start = 0;
    for (size_t nl; (nl = text.find('\n', start)) != std::string::npos; start = nl + 1) {
      s.tail.push_back(text.substr(start, nl - start));
      if (s.tail.size() > k_tail_lines)
        s.tail.pop_front();
    }
    s.partial = text.substr(start);
    return;
  }
}

void TtyRenderer::warning(const engine::WarningEvent& e) {
  std::lock_guard lock(m_mutex);
  m_warnings.push_back(e.short_text);
}

std::string TtyRenderer::step_line(const Step& s, engine::Clock::time_point now,
                                   size_t width) const {
  const auto& e = s.event;
  std::string name = (e.cached ? "CACHED " : "") + e.name;
  if (!e.error.empty())
    name = "ERROR " + name;
  double t = e.started ? seconds((e.completed ? *e.completed : now) - *e.started) : 0.0;
  char time_buf[32];
  std::snprintf(time_buf, sizeof time_buf, "%.1fs", t);
  std::string line = " => " + name;
  size_t room = width > 12 ? width - 12 : width;
  if (line.size() > room)
    line = line.substr(0, room - 3) + "...";
  line += std::string(room - line.size() + 1, ' ') + time_buf;
  return line;
}

void TtyRenderer::draw(bool final) {
  auto now = engine::Clock::now();
  size_t width = terminal_width(m_out);
  size_t done = 0;
  for (const auto& s : m_steps)
    done += s.event.completed ? 1 : 0;
  std::vector<std::string> lines;
  char header[96];
  std::snprintf(header, sizeof header, "[+] Building %.1fs (%zu/%zu)%s", seconds(now - m_start),
                done, m_steps.size(), final ? " FINISHED" : "");
  lines.push_back(header);
  for (const auto& s : m_steps) {
    lines.push_back(step_line(s, now, width));
    bool running = !s.event.completed;
    if ((running && !final) || !s.event.error.empty())
      for (const auto& t : s.tail)
        lines.push_back(" => => # " + t.substr(0, width > 10 ? width - 10 : width));
  }
  for (const auto& w : m_warnings)
    lines.push_back("WARNING: " + w);
  std::string frame;
  if (m_drawn_lines)
    frame += "\x1b[" + std::to_string(m_drawn_lines) + "A";
  for (const auto& l : lines)
    frame += "\x1b[2K" + l + "\n";
  std::fputs(frame.c_str(), m_out);
  std::fflush(m_out);
  m_drawn_lines = lines.size();
}

void TtyRenderer::loop() {
  std::unique_lock lock(m_mutex);
  while (!m_stop) {
    draw(false);
    m_cv.wait_for(lock, std::chrono::milliseconds(100));
  }
}

void TtyRenderer::finish() {
  {
    std::lock_guard lock(m_mutex);
    if (m_finished)
      return;
    m_finished = true;
    m_stop = true;
  }
  m_cv.notify_all();
  if (m_thread.joinable())
    m_thread.join();
  std::lock_guard lock(m_mutex);
  draw(true);
}

} // namespace xbuild::plugin
