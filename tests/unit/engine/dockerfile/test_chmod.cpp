#include <catch2/catch.hpp>

#include "engine/dockerfile/chmod.hpp"
#include "engine/dockerfile/instructions.hpp"
#include "engine/dockerfile/parser.hpp"

using namespace xbuild::engine::dockerfile;

namespace {
uint32_t mode_of(const char* spec, uint32_t mode, bool dir = false) {
  auto s = parse_chmod(spec);
  if (!s)
    FAIL(s.error().message);
  return apply_chmod(*s, mode, dir);
}
} // namespace

TEST_CASE("octal chmod modes replace the mode", "[dockerfile][chmod]") {
  CHECK(mode_of("755", 0600) == 0755);
  CHECK(mode_of("0644", 0777) == 0644);
  CHECK(mode_of("4755", 0) == 04755);
}

TEST_CASE("symbolic chmod modes follow chmod(1), including X", "[dockerfile][chmod]") {
  CHECK(mode_of("u=rwX,go=rX", 0600) == 0644);
  CHECK(mode_of("u=rwX,go=rX", 0700) == 0755);
  CHECK(mode_of("u=rwX,go=rX", 0600, true) == 0755);
  CHECK(mode_of("+x", 0644) == 0755);
  CHECK(mode_of("a-w", 0666) == 0444);
  CHECK(mode_of("g+w,o=", 0755) == 0770);
  CHECK(mode_of("u+s", 0755) == 04755);
  CHECK(mode_of("o+t", 0777, true) == 01777);
}

TEST_CASE("invalid chmod modes are rejected with the accepted forms", "[dockerfile][chmod]") {
  for (const char* bad : {"", "99", "77777", "u", "u=rwq", "z+x", "u=r,,"}) {
    INFO(bad);
    auto r = parse_chmod(bad);
    REQUIRE_FALSE(r);
    CHECK(r.error().message.find("octal mode such as 0755") != std::string::npos);
  }
}

TEST_CASE("COPY --chmod is validated unless it uses a variable", "[dockerfile][chmod]") {
  auto ast = parse("FROM x\nCOPY --chmod=u+q a b\nCOPY --chmod=$M a b\n");
  REQUIRE(ast);
  CHECK_FALSE(parse_instruction(*ast->root.children[1]));
  CHECK(parse_instruction(*ast->root.children[2]));
}
