#include "util/time.hpp"

#include <ctime>

namespace xbuild::util {
namespace {

std::string date_time(std::chrono::system_clock::time_point t) {
  std::time_t secs = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  return buf;
}

} // namespace

std::string format_rfc3339(std::chrono::system_clock::time_point t) {
  return date_time(t) + "Z";
}

std::string format_rfc3339_nano(std::chrono::system_clock::time_point t) {
  auto since = t.time_since_epoch();
  auto secs = std::chrono::duration_cast<std::chrono::seconds>(since);
  if (since < secs) // floor for times before the epoch
    secs -= std::chrono::seconds(1);
  long long nanos = std::chrono::duration_cast<std::chrono::nanoseconds>(since - secs).count();
  std::string out = date_time(std::chrono::system_clock::time_point(secs));
  if (nanos) {
    std::string frac = std::to_string(nanos);
    frac.insert(0, 9 - frac.size(), '0');
    frac.erase(frac.find_last_not_of('0') + 1);
    out += "." + frac;
  }
  return out + "Z";
}

} // namespace xbuild::util
