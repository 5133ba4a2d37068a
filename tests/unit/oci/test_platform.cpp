#include <catch2/catch.hpp>

#include "oci/platform.hpp"

using namespace xbuild::oci;

TEST_CASE("platform spellings normalise to the containerd canonical form", "[oci][platform]") {
  std::vector<std::pair<std::string, std::string>> cases = {
      {"linux/amd64", "linux/amd64"},
      {"linux/x86_64", "linux/amd64"},
      {"linux/x86-64", "linux/amd64"},
      {"linux/amd64/v1", "linux/amd64"},
      {"linux/amd64/v3", "linux/amd64/v3"},
      {"linux/aarch64", "linux/arm64"},
      {"linux/arm64/v8", "linux/arm64"},
      {"linux/arm64/8", "linux/arm64"},
      {"linux/arm64/v8.2", "linux/arm64/v8.2"},
      {"linux/armhf", "linux/arm/v7"},
      {"linux/armel", "linux/arm/v6"},
      {"linux/arm", "linux/arm/v7"},
      {"linux/arm/6", "linux/arm/v6"},
      {"Linux/ARM64", "linux/arm64"},
      {"linux/i386", "linux/386"},
      {"windows/amd64", "windows/amd64"},
      {"arm64", "linux/arm64"},
      {"linux/ppc64le", "linux/ppc64le"},
      {" linux/s390x ", "linux/s390x"},
  };
  for (auto& [in, out] : cases) {
    INFO(in);
    auto p = Platform::parse(in);
    REQUIRE(p);
    CHECK(p->str() == out);
  }
}

TEST_CASE("a bare operating system gets the host architecture", "[oci][platform]") {
  auto p = Platform::parse("linux");
  REQUIRE(p);
  CHECK(p->os == "linux");
  CHECK(p->architecture == host_platform().architecture);
  auto local = Platform::parse("local");
  REQUIRE(local);
  CHECK(*local == host_platform());
}

TEST_CASE("the host platform is normalised", "[oci][platform]") {
  Platform h = host_platform();
  CHECK(h.os == "linux");
  CHECK(h == h.normalized());
#if defined(__x86_64__)
  CHECK(h.str() == "linux/amd64");
#elif defined(__aarch64__)
  CHECK(h.str() == "linux/arm64");
#endif
}

TEST_CASE("malformed platforms are refused with the expected form in the message",
          "[oci][platform]") {
  for (std::string bad : {"linux/", "/amd64", "linux/arm/v7/extra", "plan10/amd64", "linux/a m"}) {
    INFO(bad);
    auto p = Platform::parse(bad, "--platform");
    REQUIRE_FALSE(p);
    CHECK_THAT(p.error().message, Catch::Contains("invalid platform"));
    CHECK_THAT(p.error().message, Catch::Contains("--platform"));
    CHECK_THAT(p.error().message, Catch::Contains("os/arch[/variant]"));
  }
}

TEST_CASE("platform matching follows the exact and compatible rules", "[oci][platform]") {
  struct Case {
    std::string wanted, candidate;
    bool exact, compatible;
  };
  std::vector<Case> cases = {
      {"linux/amd64", "linux/amd64", true, true},
      {"linux/amd64", "linux/x86_64", true, true},
      {"linux/arm64", "linux/arm64/v8", true, true},
      {"linux/arm64", "linux/aarch64", true, true},
      {"linux/arm64", "linux/arm/v7", false, true},
      {"linux/arm64", "linux/arm/v6", false, true},
      {"linux/arm64", "linux/amd64", false, false},
      {"linux/arm/v7", "linux/arm/v6", false, true},
      {"linux/arm/v6", "linux/arm/v7", false, false},
      {"linux/arm/v7", "linux/arm64", false, false},
      {"linux/amd64/v3", "linux/amd64/v2", false, true},
      {"linux/amd64/v3", "linux/amd64", false, true},
      {"linux/amd64", "linux/amd64/v2", false, false},
      {"linux/amd64", "linux/386", false, true},
      {"linux/amd64", "windows/amd64", false, false},
      {"linux/armhf", "linux/arm/v7", true, true},
  };
  for (auto& c : cases) {
    INFO(c.wanted << " vs " << c.candidate);
    auto w = Platform::parse(c.wanted);
    auto k = Platform::parse(c.candidate);
    REQUIRE(w);
    REQUIRE(k);
    CHECK(platform_matches(*w, *k, PlatformMatch::exact) == c.exact);
    CHECK(platform_matches(*w, *k, PlatformMatch::compatible) == c.compatible);
  }
}

TEST_CASE("compatible matches rank the nearest platform first", "[oci][platform]") {
  auto want = *Platform::parse("linux/arm64");
  auto r_arm64 =
      platform_match_rank(want, *Platform::parse("linux/arm64"), PlatformMatch::compatible);
  auto r_v7 =
      platform_match_rank(want, *Platform::parse("linux/arm/v7"), PlatformMatch::compatible);
  auto r_v6 =
      platform_match_rank(want, *Platform::parse("linux/arm/v6"), PlatformMatch::compatible);
  REQUIRE(r_arm64);
  REQUIRE(r_v7);
  REQUIRE(r_v6);
  CHECK(*r_arm64 < *r_v7);
  CHECK(*r_v7 < *r_v6);
}

TEST_CASE("a platform list drops duplicates after normalisation", "[oci][platform]") {
  auto list = parse_platform_list("linux/amd64,linux/x86_64, linux/arm64,linux/aarch64");
  REQUIRE(list);
  REQUIRE(list->size() == 2);
  CHECK((*list)[0].str() == "linux/amd64");
  CHECK((*list)[1].str() == "linux/arm64");
  CHECK_FALSE(parse_platform_list("linux/amd64,bogus/"));
}
