#include <catch2/catch.hpp>

#include "engine/dockerfile/parser.hpp"

using namespace xbuild::engine::dockerfile;

namespace {
ParseResult must_parse(std::string_view text) {
  auto r = parse(text);
  if (!r)
    FAIL(r.error().message);
  return std::move(*r);
}
const Node& only(const ParseResult& r, size_t i = 0) {
  REQUIRE(r.root.children.size() > i);
  return *r.root.children[i];
}
} // namespace

TEST_CASE("a heredoc body is read up to its delimiter and kept verbatim", "[dockerfile][heredoc]") {
  auto r = must_parse("FROM x\nRUN <<EOF\necho $HOME\n\tindented\nEOF\nRUN true\n");
  REQUIRE(r.root.children.size() == 3);
  const auto& run = only(r, 1);
  REQUIRE(run.heredocs.size() == 1);
  CHECK(run.heredocs[0].name == "EOF");
  CHECK(run.heredocs[0].content == "echo $HOME\n\tindented\n");
  CHECK(run.heredocs[0].expand);
  CHECK_FALSE(run.heredocs[0].chomp);
  CHECK(run.start_line == 2);
  CHECK(run.end_line == 5);
  CHECK(only(r, 2).start_line == 6);
}

TEST_CASE("a heredoc with a quoted delimiter is not expanded", "[dockerfile][heredoc]") {
  for (const char* line : {"RUN <<'EOF'", "RUN <<\"EOF\"", "RUN <<E'O'F"}) {
    INFO(line);
    auto r = must_parse(std::string("FROM x\n") + line + "\nbody\nEOF\n");
    REQUIRE(only(r, 1).heredocs.size() == 1);
    CHECK(only(r, 1).heredocs[0].name == "EOF");
    CHECK_FALSE(only(r, 1).heredocs[0].expand);
  }
}

TEST_CASE("a <<- heredoc ends at a tab-indented delimiter", "[dockerfile][heredoc]") {
  auto r = must_parse("FROM x\nRUN <<-EOT\n\techo hi\n\tEOT\n");
  REQUIRE(only(r, 1).heredocs.size() == 1);
  CHECK(only(r, 1).heredocs[0].chomp);
  CHECK(only(r, 1).heredocs[0].content == "\techo hi\n");
}

TEST_CASE("several heredocs on one line are read in order with fd prefixes", "[dockerfile][heredoc]") {
  auto r = must_parse("FROM x\nRUN <<A cat >a && 3<<B cat >b\na body\nA\nb body\nB\n");
  const auto& run = only(r, 1);
  REQUIRE(run.heredocs.size() == 2);
  CHECK(run.heredocs[0].name == "A");
  CHECK(run.heredocs[0].content == "a body\n");
  CHECK(run.heredocs[1].name == "B");
  CHECK(run.heredocs[1].fd == 3);
  CHECK(run.heredocs[1].content == "b body\n");
}

TEST_CASE("COPY, ADD and ONBUILD RUN accept heredocs and shebang bodies stay intact",
          "[dockerfile][heredoc]") {
  auto r = must_parse("FROM x\nCOPY <<EOF /a\nhello\nEOF\nADD <<X /b\nx\nX\n"
                      "ONBUILD RUN <<EOF\n#!/usr/bin/env python3\nprint(1)\nEOF\n");
  CHECK(only(r, 1).heredocs.size() == 1);
  CHECK(only(r, 2).heredocs.size() == 1);
  REQUIRE(only(r, 3).heredocs.size() == 1);
  CHECK(only(r, 3).heredocs[0].content == "#!/usr/bin/env python3\nprint(1)\n");
}

TEST_CASE("heredoc markers in exec form or other instructions are plain text", "[dockerfile][heredoc]") {
  auto r = must_parse("FROM x\nRUN [\"echo\", \"<<EOF\"]\nENV a=<<EOF\nLABEL b=c\n");
  CHECK(only(r, 1).heredocs.empty());
  CHECK(only(r, 2).heredocs.empty());
  CHECK(r.root.children.size() == 4);
}

TEST_CASE("an unterminated heredoc is an error naming its line", "[dockerfile][heredoc]") {
  auto r = parse("FROM x\nRUN <<EOF\necho hi\n");
  REQUIRE_FALSE(r);
  CHECK(r.error().message.rfind("Dockerfile:2: unterminated heredoc", 0) == 0);
  CHECK(r.error().message.find(">>> RUN <<EOF") != std::string::npos);
}

TEST_CASE("directives are read only at the top, once each, with any key case",
          "[dockerfile][directives]") {
  auto r = must_parse("# syntax=docker/dockerfile:1\n# CHECK = skip=all;error=true\n"
                      "# escape=`\nFROM x\nRUN a `\n  b\n");
  REQUIRE(r.directives.size() == 3);
  CHECK(r.directives[1].name == "check");
  CHECK(r.directives[1].value == "skip=all;error=true");
  CHECK(r.escape == '`');
  CHECK(only(r, 1).dump() == "run \"a   b\"");

  auto late = must_parse("FROM x\n# escape=`\nRUN a \\\n b\n");
  CHECK(late.directives.empty());
  CHECK(late.escape == '\\');

  auto twice = parse("# escape=`\n# escape=\\\nFROM x\n");
  REQUIRE_FALSE(twice);
  CHECK(twice.error().message.find("only one escape parser directive") != std::string::npos);

  auto bad = parse("# escape=x\nFROM x\n");
  REQUIRE_FALSE(bad);
  CHECK(bad.error().message.find("invalid escape token") != std::string::npos);
}

TEST_CASE("a BOM and a shebang line before the directives are ignored", "[dockerfile][directives]") {
  auto r = must_parse("\xEF\xBB\xBF#!/usr/bin/env docker-build\n# escape=`\nFROM x\n");
  CHECK(r.escape == '`');
  CHECK(only(r).start_line == 3);
}

TEST_CASE("an unknown directive ends the directive block", "[dockerfile][directives]") {
  auto r = must_parse("# foo=bar\n# escape=`\nFROM x\n");
  CHECK(r.escape == '\\');
}

TEST_CASE("an empty continuation line is dropped with a NoEmptyContinuation warning",
          "[dockerfile][parser]") {
  auto r = must_parse("FROM x\nRUN a \\\n\n  b\n");
  CHECK(only(r, 1).dump() == "run \"a   b\"");
  REQUIRE(r.warnings.size() == 1);
  CHECK(r.warnings[0].rule == "NoEmptyContinuation");
  CHECK(r.warnings[0].line == 2);
}

TEST_CASE("keywords are case-insensitive and keep their spelling", "[dockerfile][parser]") {
  auto r = must_parse("from x\nRun echo\n");
  CHECK(only(r).value == "from");
  CHECK(only(r, 1).value == "Run");
  CHECK(only(r, 1).dump() == "run \"echo\"");
}

TEST_CASE("comments above an instruction are attached to it", "[dockerfile][parser]") {
  auto r = must_parse("# base image\nFROM x AS build\n");
  CHECK(only(r).prev_comments == std::vector<std::string>{"base image"});
}

TEST_CASE("malformed input gets located errors, never a crash", "[dockerfile][parser]") {
  for (const char* text : {"", "# only\n\n", "FROM x\nENV PATH\n", "FROM x\nCMD [1]\n",
                           "FROM x\nLABEL a=b c\n", "FROM x\nRUN <<EOF\n"}) {
    INFO(go_quote(text));
    auto r = parse(text);
    REQUIRE_FALSE(r);
    CHECK(r.error().message.rfind("Dockerfile:", 0) == 0);
  }
}

TEST_CASE("go_quote escapes like Go's strconv.Quote", "[dockerfile][parser]") {
  CHECK(go_quote("a\"b\\c") == "\"a\\\"b\\\\c\"");
  CHECK(go_quote(std::string("\x01\t\n", 3)) == "\"\\x01\\t\\n\"");
  CHECK(go_quote("♥") == "\"♥\"");
}

TEST_CASE("directives and comments cut off by a blank line are not descriptions",
          "[dockerfile][parser]") {
  auto r = must_parse("# syntax=x\n# app the app\nFROM a AS app\n# lost\n\nFROM b\n");
  CHECK(only(r).prev_comments == std::vector<std::string>{"app the app"});
  CHECK(only(r, 1).prev_comments.empty());
}
