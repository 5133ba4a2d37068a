#pragma once
// Cooperative cancellation. Ctrl-C, SIGTERM or the Docker CLI closing the
// plugin socket request cancellation; long-running work polls `requested()`
// or waits on it, cleans up, and returns an error.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>

namespace xbuild::util {

class CancelSource {
public:
  void request(std::string reason);
  bool requested() const { return m_requested.load(); }
  std::string reason() const;
  // Waits until cancellation is requested or `timeout` passes; true if requested.
  bool wait_for(std::chrono::milliseconds timeout) const;

private:
  std::atomic<bool> m_requested{false};
  mutable std::mutex m_mutex;
  mutable std::condition_variable m_cv;
  std::string m_reason;
};

} // namespace xbuild::util
