#include <catch2/catch.hpp>

#include "engine/dockerfile/dockerignore.hpp"
#include "util/fs.hpp"

using namespace xbuild::engine::dockerfile;

TEST_CASE("ignore files drop comments and blanks and clean every pattern", "[dockerfile][dockerignore]") {
  auto p = read_ignore_patterns("\xEF\xBB\xBF# comment\n\n  ./a/../b/  \n/abs\n! ./keep\n#x\n  #not comment\n");
  CHECK(p == std::vector<std::string>{"b", "abs", "!keep", "#not comment"});
}

TEST_CASE("patterns match paths, their parents, and ** across directories",
          "[dockerfile][dockerignore]") {
  auto m = IgnoreMatcher::compile({"*.md", "build", "**/*.tmp", "docs/**", "a?c", "src/[a-c]*.go"});
  REQUIRE(m);
  struct V { const char* path; bool excluded; };
  for (auto [path, ex] : {V{"README.md", true}, V{"sub/README.md", false}, V{"build", true},
                          V{"build/x/y.o", true}, V{"x.tmp", true}, V{"deep/er/x.tmp", true},
                          V{"docs/a/b", true}, V{"abc", true}, V{"abbc", false},
                          V{"src/b1.go", true}, V{"src/d1.go", false}, V{"main.go", false},
                          V{"./build/../README.md", true}}) {
    INFO(path);
    CHECK(m->excluded(path) == ex);
  }
}

TEST_CASE("the last matching pattern wins and ! re-includes", "[dockerfile][dockerignore]") {
  auto m = IgnoreMatcher::compile({"*.md", "!README.md", "docs", "!docs/keep.txt"});
  REQUIRE(m);
  CHECK(m->excluded("CHANGES.md"));
  CHECK_FALSE(m->excluded("README.md"));
  CHECK(m->excluded("docs/other.txt"));
  CHECK_FALSE(m->excluded("docs/keep.txt"));
  auto again = IgnoreMatcher::compile({"!README.md", "*.md"});
  REQUIRE(again);
  CHECK(again->excluded("README.md"));
}

TEST_CASE("a lone ! pattern is an error", "[dockerfile][dockerignore]") {
  CHECK_FALSE(IgnoreMatcher::compile({"!"}));
}

TEST_CASE("the Dockerfile-specific ignore file wins over the context one", "[dockerfile][dockerignore]") {
  xbuild::util::TempDir dir("xbuild-ignore");
  auto ctx = dir.path();
  REQUIRE(xbuild::util::write_file_atomic(ctx / ".dockerignore", "a\n"));
  REQUIRE(xbuild::util::write_file_atomic(ctx / "app.Dockerfile", "FROM x\n"));
  CHECK(find_ignore_file(ctx, ctx / "app.Dockerfile") == ctx / ".dockerignore");
  REQUIRE(xbuild::util::write_file_atomic(ctx / "app.Dockerfile.dockerignore", "b\n"));
  CHECK(find_ignore_file(ctx, ctx / "app.Dockerfile") == ctx / "app.Dockerfile.dockerignore");
  CHECK(find_ignore_file(ctx / "none", ctx / "none" / "Dockerfile") == std::nullopt);
}
