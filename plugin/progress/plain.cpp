#include "plugin/progress/plain.hpp"

#include <chrono>

namespace xbuild::plugin {
namespace {

double seconds_between(engine::Clock::time_point a, engine::Clock::time_point b) {
  return std::chrono::duration<double>(b - a).count();
}

} // namespace

PlainRenderer::State& PlainRenderer::state(const std::string& digest) {
  auto [it, inserted] = m_states.try_emplace(digest);
  if (inserted)
    it->second.number = m_next++;
  return it->second;
}

void PlainRenderer::announce(State& s, const std::string& name) {
  if (s.announced)
    return;
  s.announced = true;
  if (!m_last_vertex.empty())
    std::fprintf(m_out, "\n");
  std::fprintf(m_out, "#%d %s\n", s.number, name.c_str());
}

void PlainRenderer::vertex(const engine::VertexEvent& e) {
  std::lock_guard lock(m_mutex);
  State& s = state(e.digest);
  announce(s, e.name);
  m_last_vertex = e.digest;
  if (e.started)
    s.started = *e.started;
  if (!s.partial_line.empty() && e.completed) {
    std::fprintf(m_out, "#%d %s\n", s.number, s.partial_line.c_str());
    s.partial_line.clear();
  }
  if (e.cached)
    std::fprintf(m_out, "#%d CACHED\n", s.number);
  else if (!e.error.empty())
    std::fprintf(m_out, "#%d ERROR: %s\n", s.number, e.error.c_str());
  else if (e.completed && e.started)
    std::fprintf(m_out, "#%d DONE %.1fs\n", s.number, seconds_between(*e.started, *e.completed));
  std::fflush(m_out);
}

void PlainRenderer::log(const engine::LogEvent& e) {
  std::lock_guard lock(m_mutex);
  State& s = state(e.vertex);
  std::string text = s.partial_line + e.data;
  size_t start = 0;
  double t = seconds_between(s.started, e.timestamp);
  for (size_t nl; (nl = text.find('\n', start)) != std::string::npos; start = nl + 1)
    std::fprintf(m_out, "#%d %.3f %s\n", s.number, t < 0 ? 0.0 : t,
                 text.substr(start, nl - start).c_str());
  s.partial_line = text.substr(start);
  m_last_vertex = e.vertex;
  std::fflush(m_out);
}

void PlainRenderer::status(const engine::StatusEvent& e) {
  std::lock_guard lock(m_mutex);
  State& s = state(e.vertex);
  if (!e.completed)
    return; // plain output reports a status once, when it is done
  std::string amount;
  if (e.total > 0)
    amount = " " + std::to_string(e.current) + "B / " + std::to_string(e.total) + "B";
  std::fprintf(m_out, "#%d %s%s done\n", s.number, (e.name.empty() ? e.id : e.name).c_str(),
               amount.c_str());
  std::fflush(m_out);
}

void PlainRenderer::warning(const engine::WarningEvent& e) {
  std::lock_guard lock(m_mutex);
  std::fprintf(m_out, "WARNING: %s\n", e.short_text.c_str());
  for (const auto& d : e.detail)
    std::fprintf(m_out, "  %s\n", d.c_str());
  std::fflush(m_out);
}

} // namespace xbuild::plugin
