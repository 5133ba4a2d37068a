#pragma once
// Where BuildKit's conformance data lives: $XBUILD_CONFORMANCE_DIR, else
// ../shared/conformance/buildkit next to the source tree. Empty when the
// folder is missing (the caller fails under CI=true and skips otherwise).

#include <cstdlib>
#include <filesystem>
#include <string>

namespace xbuild::test {

inline std::filesystem::path conformance_dir() {
  std::filesystem::path dir;
  if (const char* env = std::getenv("XBUILD_CONFORMANCE_DIR"); env && *env)
    dir = env;
  else
    dir = std::filesystem::path(XBUILD_SOURCE_DIR) / ".." / "shared" / "conformance" / "buildkit";
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec))
    return {};
  return dir;
}

inline bool running_in_ci() {
  const char* ci = std::getenv("CI");
  return ci && std::string(ci) == "true";
}

} // namespace xbuild::test

// Use at the top of a TEST_CASE: binds `dir` or leaves the test.
#define XBUILD_REQUIRE_CONFORMANCE(dir)                                                            \
  auto dir = ::xbuild::test::conformance_dir();                                                    \
  if (dir.empty()) {                                                                               \
    if (::xbuild::test::running_in_ci())                                                           \
      FAIL("conformance data missing: set XBUILD_CONFORMANCE_DIR");                                \
    WARN("conformance data missing; set XBUILD_CONFORMANCE_DIR to run this test");                 \
    return;                                                                                        \
  }
