#include "util/cancel.hpp"

namespace xbuild::util {

void CancelSource::request(std::string reason) {
  {
    std::lock_guard lock(m_mutex);
    if (m_requested.load())
      return;
    m_reason = std::move(reason);
    m_requested.store(true);
  }
  m_cv.notify_all();
}

std::string CancelSource::reason() const {
  std::lock_guard lock(m_mutex);
  return m_reason;
}

bool CancelSource::wait_for(std::chrono::milliseconds timeout) const {
  std::unique_lock lock(m_mutex);
  return m_cv.wait_for(lock, timeout, [this] { return m_requested.load(); });
}

} // namespace xbuild::util
