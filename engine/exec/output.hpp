#pragma once
// Turning a process's byte streams into lines for progress output, and
// keeping the last few lines for the error message of a failed RUN.

#include <deque>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace xbuild::engine::exec {

// Splits a byte stream into lines. Bytes are fed as they arrive; each
// complete line (without "\n", and without a trailing "\r") goes to the
// callback. A line longer than `max_line` is delivered in pieces so that a
// process printing megabytes without a newline cannot exhaust memory.
class LineSplitter {
public:
  using Callback = std::function<void(std::string_view)>;
  explicit LineSplitter(Callback cb, size_t max_line = 64 * 1024)
      : m_cb(std::move(cb)), m_max_line(max_line) {}
  void feed(std::string_view bytes);
  // Delivers a final unterminated line, if any.
  void finish();

private:
  void emit(std::string_view line);
  Callback m_cb;
  size_t m_max_line;
  std::string m_partial;
};

// The last `capacity` lines seen.
class LineTail {
public:
  explicit LineTail(size_t capacity) : m_capacity(capacity) {}
  void push(std::string_view line);
  std::vector<std::string> lines() const { return {m_lines.begin(), m_lines.end()}; }

private:
  size_t m_capacity;
  std::deque<std::string> m_lines;
};

} // namespace xbuild::engine::exec
