#pragma once
// When and how long to wait before trying a registry request again.
//
// Retried: connection failures (refused, reset, stalled) and HTTP 408, 429,
// 499, 5xx (but not 501/505, which will not change). The delay grows
// exponentially from `base_delay`, capped at `max_delay`, with ±25 % jitter
// so parallel uploads do not retry in lock-step; a `Retry-After` header
// replaces the computed delay (still capped). Attempts stop at
// `max_attempts` or when the next wait would pass `max_total` since the first
// attempt, whichever comes first.

#include <chrono>
#include <functional>
#include <optional>
#include <string>

namespace xbuild::oci::registry {

struct RetryPolicy {
  int max_attempts = 8;
  std::chrono::milliseconds base_delay{200};
  std::chrono::milliseconds max_delay{5000};
  std::chrono::milliseconds max_total{60000};
  // Sleeps between attempts; replaced by tests. Returns false when cancelled.
  std::function<bool(std::chrono::milliseconds)> sleep;
  // Uniform random in [0,1); replaced by tests for deterministic jitter.
  std::function<double()> random;

  // The delay before attempt `attempt` (1 = first retry), given the
  // Retry-After header of the failed response, if any.
  std::chrono::milliseconds delay(int attempt, const std::optional<std::string>& retry_after) const;
};

bool is_retryable_status(long status);

// Parses Retry-After: delta-seconds or an HTTP date. nullopt when unparsable.
std::optional<std::chrono::milliseconds> parse_retry_after(const std::string& value);

} // namespace xbuild::oci::registry
