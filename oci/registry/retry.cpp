#include "oci/registry/retry.hpp"

#include <algorithm>
#include <cmath>
#include <ctime>
#include <random>

#include "util/strings.hpp"

namespace xbuild::oci::registry {

bool is_retryable_status(long status) {
  if (status == 408 || status == 429 || status == 499)
    return true;
  return status >= 500 && status < 600 && status != 501 && status != 505;
}

std::optional<std::chrono::milliseconds> parse_retry_after(const std::string& value) {
  auto v = std::string(util::trim(value));
  if (v.empty())
    return std::nullopt;
  if (std::all_of(v.begin(), v.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    if (v.size() > 6)
      return std::chrono::hours(24);
    return std::chrono::seconds(std::stol(v));
  }
  std::tm tm{};
  const char* end = strptime(v.c_str(), "%a, %d %b %Y %H:%M:%S", &tm);
  if (!end)
    return std::nullopt;
  auto when = timegm(&tm);
  auto now = std::time(nullptr);
  return std::chrono::seconds(std::max<long>(0, static_cast<long>(when - now)));
}

std::chrono::milliseconds RetryPolicy::delay(int attempt,
                                             const std::optional<std::string>& retry_after) const {
  using std::chrono::milliseconds;
  if (retry_after)
    if (auto ra = parse_retry_after(*retry_after))
      return std::min(*ra, max_delay);
  double r;
  if (random) {
    r = random();
  } else {
    thread_local std::mt19937_64 rng{std::random_device{}()};
    r = std::uniform_real_distribution<double>(0.0, 1.0)(rng);
  }
  double exp = static_cast<double>(base_delay.count()) * std::pow(2.0, std::max(0, attempt - 1));
  double capped = std::min(exp, static_cast<double>(max_delay.count()));
  double jittered = capped * (0.75 + 0.5 * r);
  return milliseconds(static_cast<long>(std::min(jittered, double(max_delay.count()))));
}

} // namespace xbuild::oci::registry
