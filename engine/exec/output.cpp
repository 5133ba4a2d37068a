#include "engine/exec/output.hpp"

namespace xbuild::engine::exec {

void LineSplitter::emit(std::string_view line) {
  if (!line.empty() && line.back() == '\r')
    line.remove_suffix(1);
  m_cb(line);
}

void LineSplitter::feed(std::string_view bytes) {
  while (!bytes.empty()) {
    size_t nl = bytes.find('\n');
    std::string_view piece = bytes.substr(0, nl);
    if (m_partial.empty() && nl != std::string_view::npos && piece.size() <= m_max_line) {
      emit(piece); // the common case: a whole short line, no copy
    } else {
      m_partial.append(piece);
      while (m_partial.size() > m_max_line ||
             (m_partial.size() == m_max_line && nl == std::string_view::npos)) {
        emit(std::string_view(m_partial).substr(0, m_max_line));
        m_partial.erase(0, m_max_line);
      }
      if (nl != std::string_view::npos) {
        emit(m_partial);
        m_partial.clear();
      }
    }
    if (nl == std::string_view::npos)
      return;
    bytes.remove_prefix(nl + 1);
  }
}

void LineSplitter::finish() {
  if (m_partial.empty())
    return;
  emit(m_partial);
  m_partial.clear();
}

void LineTail::push(std::string_view line) {
  if (m_capacity == 0)
    return;
  if (m_lines.size() == m_capacity)
    m_lines.pop_front();
  m_lines.emplace_back(line);
}

} // namespace xbuild::engine::exec
