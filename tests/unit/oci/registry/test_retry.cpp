#include <catch2/catch.hpp>

#include "oci/registry/retry.hpp"

using namespace xbuild::oci::registry;
using std::chrono::milliseconds;

TEST_CASE("only transient statuses are retried", "[oci][registry][retry]") {
  for (long s : {408L, 429L, 499L, 500L, 502L, 503L, 504L})
    CHECK(is_retryable_status(s));
  for (long s : {200L, 201L, 400L, 401L, 403L, 404L, 501L, 505L})
    CHECK_FALSE(is_retryable_status(s));
}

TEST_CASE("backoff doubles from the base, is capped and jittered by ±25%",
          "[oci][registry][retry]") {
  RetryPolicy p;
  p.base_delay = milliseconds(100);
  p.max_delay = milliseconds(1000);
  p.random = [] { return 0.5; }; // no jitter
  CHECK(p.delay(1, std::nullopt) == milliseconds(100));
  CHECK(p.delay(2, std::nullopt) == milliseconds(200));
  CHECK(p.delay(4, std::nullopt) == milliseconds(800));
  CHECK(p.delay(9, std::nullopt) == milliseconds(1000));
  p.random = [] { return 0.0; };
  CHECK(p.delay(2, std::nullopt) == milliseconds(150));
  p.random = [] { return 0.999; };
  CHECK(p.delay(2, std::nullopt) > milliseconds(245));
}

TEST_CASE("Retry-After replaces the computed delay but stays under the cap",
          "[oci][registry][retry]") {
  RetryPolicy p;
  p.max_delay = milliseconds(5000);
  p.random = [] { return 0.5; };
  CHECK(p.delay(1, std::string("2")) == milliseconds(2000));
  CHECK(p.delay(1, std::string("600")) == milliseconds(5000));
  CHECK(p.delay(1, std::string("garbage")) == p.delay(1, std::nullopt));
  CHECK(parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT") == milliseconds(0));
  CHECK_FALSE(parse_retry_after("soon").has_value());
}
