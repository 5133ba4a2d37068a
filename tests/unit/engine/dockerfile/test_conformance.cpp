// BuildKit's own parser and lexer test data, read at run time.

#include <catch2/catch.hpp>

#include "engine/dockerfile/parser.hpp"
#include "engine/dockerfile/shell_lexer.hpp"
#include "tests/unit/engine/dockerfile/conformance_dir.hpp"
#include "util/fs.hpp"
#include "util/strings.hpp"

using namespace xbuild::engine::dockerfile;
namespace fs = std::filesystem;

namespace {

std::vector<fs::path> case_dirs(const fs::path& dir) {
  std::vector<fs::path> out;
  for (const auto& e : fs::directory_iterator(dir))
    if (e.is_directory())
      out.push_back(e.path());
  std::sort(out.begin(), out.end());
  return out;
}

std::string dump_all(const ParseResult& r) {
  std::string out;
  for (const auto& c : r.root.children)
    out += "(" + c->dump() + ")\n";
  return out;
}

} // namespace

TEST_CASE("every BuildKit parser testfile dumps exactly like its result file",
          "[dockerfile][parser][conformance]") {
  XBUILD_REQUIRE_CONFORMANCE(dir);
  auto cases = case_dirs(dir / "parser" / "testfiles");
  REQUIRE(cases.size() >= 33);
  for (const auto& c : cases) {
    INFO("case " << c.filename().string());
    auto text = xbuild::util::read_file(c / "Dockerfile");
    auto expected = xbuild::util::read_file(c / "result");
    REQUIRE(text);
    REQUIRE(expected);
    auto r = parse(*text);
    if (!r)
      FAIL(r.error().message);
    CHECK(dump_all(*r) == *expected);
  }
}

TEST_CASE("every BuildKit negative testfile fails to parse with a located error",
          "[dockerfile][parser][conformance]") {
  XBUILD_REQUIRE_CONFORMANCE(dir);
  auto cases = case_dirs(dir / "parser" / "testfiles-negative");
  REQUIRE(cases.size() >= 4);
  for (const auto& c : cases) {
    INFO("case " << c.filename().string());
    auto text = xbuild::util::read_file(c / "Dockerfile");
    REQUIRE(text);
    auto r = parse(*text);
    REQUIRE_FALSE(r);
    CHECK(xbuild::util::starts_with(r.error().message, "Dockerfile:"));
  }
}

TEST_CASE("instruction line ranges match BuildKit's testfile-line", "[dockerfile][parser][conformance]") {
  XBUILD_REQUIRE_CONFORMANCE(dir);
  auto text = xbuild::util::read_file(dir / "parser" / "testfile-line" / "Dockerfile");
  REQUIRE(text);
  auto r = parse(*text);
  REQUIRE(r);
  CHECK(r->root.start_line == 5);
  CHECK(r->root.end_line == 31);
  REQUIRE(r->root.children.size() == 3);
  const auto& ch = r->root.children;
  CHECK(std::make_pair(ch[0]->start_line, ch[0]->end_line) == std::make_pair(5, 5));
  CHECK(std::make_pair(ch[1]->start_line, ch[1]->end_line) == std::make_pair(11, 12));
  CHECK(std::make_pair(ch[2]->start_line, ch[2]->end_line) == std::make_pair(17, 31));
}

TEST_CASE("every envVarTest vector for all platforms or Unix expands as BuildKit does",
          "[dockerfile][shell][conformance]") {
  XBUILD_REQUIRE_CONFORMANCE(dir);
  auto text = xbuild::util::read_file(dir / "shell" / "envVarTest");
  REQUIRE(text);
  auto env = env_from_list({{"PWD", "/home"}, {"SHELL", "bash"}, {"KOREAN", "한국어"}, {"NULL", ""}});
  int checked = 0;
  for (const auto& raw : xbuild::util::split(*text, '\n')) {
    auto line = xbuild::util::trim(raw);
    if (line.empty() || line[0] == '#')
      continue;
    auto parts = xbuild::util::split(line, '|');
    REQUIRE(parts.size() == 3);
    auto platform = std::string(xbuild::util::trim(parts[0]));
    if (platform != "A" && platform != "U")
      continue;
    auto input = std::string(xbuild::util::trim(parts[1]));
    auto expected = std::string(xbuild::util::trim(parts[2]));
    INFO("input " << input);
    auto got = expand_word(input, env);
    if (expected == "error") {
      CHECK_FALSE(got);
    } else {
      REQUIRE(got);
      CHECK(*got == expected);
    }
    ++checked;
  }
  CHECK(checked == 228);
}

TEST_CASE("every wordsTest vector splits into the expected words", "[dockerfile][shell][conformance]") {
  XBUILD_REQUIRE_CONFORMANCE(dir);
  auto text = xbuild::util::read_file(dir / "shell" / "wordsTest");
  REQUIRE(text);
  std::vector<std::pair<std::string, std::string>> vars;
  int checked = 0;
  for (const auto& line : xbuild::util::split(*text, '\n')) {
    if (line.empty() || line[0] == '#')
      continue;
    if (xbuild::util::starts_with(line, "ENV ")) {
      auto kv = line.substr(4);
      auto eq = kv.find('=');
      vars.emplace_back(kv.substr(0, eq), kv.substr(eq + 1));
      continue;
    }
    auto bar = line.find('|');
    REQUIRE(bar != std::string::npos);
    auto input = std::string(xbuild::util::trim(line.substr(0, bar)));
    auto rest = line.substr(bar + 1);
    rest.erase(0, rest.find_first_not_of(' '));
    INFO("input " << input);
    auto got = expand_words(input, env_from_list(vars));
    if (rest == "error") {
      CHECK_FALSE(got);
    } else {
      REQUIRE(got);
      CHECK(*got == xbuild::util::split(rest, ','));
    }
    ++checked;
  }
  CHECK(checked == 24);
}
