#pragma once
// Progress is data: the engine reports what happens as events, renderers in
// plugin/progress draw them (tty, plain, quiet, rawjson) and remote drivers
// can forward them. The fields mirror BuildKit's SolveStatus so that
// `--progress=rawjson` can print what tools parsing buildx expect.

#include <chrono>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace xbuild::engine {

using Clock = std::chrono::system_clock;

// One vertex's state. Sent when it starts, when it completes (or is found in
// the cache), and when it fails; each event carries the whole state.
struct VertexEvent {
  std::string digest;               // vertex identity ("sha256:…")
  std::string name;                 // "[build 2/4] RUN make"
  std::vector<std::string> inputs;  // digests of the input vertices
  std::optional<Clock::time_point> started;
  std::optional<Clock::time_point> completed;
  bool cached = false;
  std::string error;                // non-empty when it failed
};

// Output of a vertex (RUN stdout/stderr), in chunks as produced.
struct LogEvent {
  std::string vertex;
  int stream = 1; // 1 stdout, 2 stderr
  std::string data;
  Clock::time_point timestamp;
};

// Byte or item progress inside a vertex (pull, push, export).
struct StatusEvent {
  std::string id;     // "sha256:…" of a blob, or a step name
  std::string vertex;
  std::string name;   // "extracting", "pushing layer"
  int64_t current = 0;
  int64_t total = 0;  // 0 when unknown
  std::optional<Clock::time_point> started;
  std::optional<Clock::time_point> completed;
};

struct WarningEvent {
  std::string vertex;
  int level = 1;
  std::string short_text;
  std::vector<std::string> detail;
  std::string url;
};

// Receives events from any thread; implementations serialise as they need.
class ProgressSink {
public:
  virtual ~ProgressSink() = default;
  virtual void vertex(const VertexEvent& e) = 0;
  virtual void log(const LogEvent& e) = 0;
  virtual void status(const StatusEvent&) {}
  virtual void warning(const WarningEvent&) {}
};

// Keeps every event, in order; for tests and for `--metadata-file` warnings.
class RecordingSink : public ProgressSink {
public:
  void vertex(const VertexEvent& e) override {
    std::lock_guard lock(m_mutex);
    vertices.push_back(e);
  }
  void log(const LogEvent& e) override {
    std::lock_guard lock(m_mutex);
    logs.push_back(e);
  }
  void status(const StatusEvent& e) override {
    std::lock_guard lock(m_mutex);
    statuses.push_back(e);
  }
  void warning(const WarningEvent& e) override {
    std::lock_guard lock(m_mutex);
    warnings.push_back(e);
  }
  std::vector<VertexEvent> vertices;
  std::vector<LogEvent> logs;
  std::vector<StatusEvent> statuses;
  std::vector<WarningEvent> warnings;

private:
  std::mutex m_mutex;
};

} // namespace xbuild::engine
