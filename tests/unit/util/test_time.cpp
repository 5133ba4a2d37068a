#include <catch2/catch.hpp>

#include "util/time.hpp"

using namespace xbuild::util;
using namespace std::chrono;

TEST_CASE("RFC 3339 times are UTC with Go's nanosecond layout", "[util][time]") {
  system_clock::time_point t{seconds(1700000000)};
  CHECK(format_rfc3339(t) == "2023-11-14T22:13:20Z");
  CHECK(format_rfc3339_nano(t) == "2023-11-14T22:13:20Z");
  CHECK(format_rfc3339_nano(t + milliseconds(120)) == "2023-11-14T22:13:20.12Z");
  CHECK(format_rfc3339_nano(t + nanoseconds(5)) == "2023-11-14T22:13:20.000000005Z");
}
