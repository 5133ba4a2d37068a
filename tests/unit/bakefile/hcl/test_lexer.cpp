#include <catch2/catch.hpp>

#include "bakefile/hcl/lexer.hpp"

using namespace xbuild::bakefile::hcl;

namespace {

std::vector<TokenKind> kinds(const std::string& text) {
  SourceFile f{"t.hcl", text};
  auto toks = lex(f);
  REQUIRE(toks);
  std::vector<TokenKind> out;
  for (const Token& t : *toks)
    out.push_back(t.kind);
  return out;
}

std::string lex_error(const std::string& text) {
  SourceFile f{"t.hcl", text};
  auto toks = lex(f);
  return toks ? "" : toks.error().message;
}

} // namespace

TEST_CASE("the lexer skips all three comment styles", "[bakefile][hcl][lexer]") {
  using K = TokenKind;
  CHECK(kinds("a = 1 # x\n// y\n/* z\n */ b") ==
        std::vector<K>{K::ident, K::equal, K::number, K::newline, K::newline, K::ident, K::eof});
}

TEST_CASE("operators are read longest first", "[bakefile][hcl][lexer]") {
  using K = TokenKind;
  CHECK(kinds("a<=b==c=>d...e!=f&&g||h") ==
        std::vector<K>{K::ident, K::less_eq, K::ident, K::eq_eq, K::ident, K::fat_arrow, K::ident,
                       K::ellipsis, K::ident, K::bang_eq, K::ident, K::and_and, K::ident, K::or_or,
                       K::ident, K::eof});
}

TEST_CASE("quoted strings decode escapes and template escapes", "[bakefile][hcl][lexer]") {
  // HCL spec: \n \t \" \\ \uNNNN are escapes; $${ and %%{ are literal ${ and %{.
  SourceFile f{"t.hcl", R"("a\n\"\u00e9 $${x} %%{y}")"};
  auto toks = lex(f);
  REQUIRE(toks);
  REQUIRE((*toks)[1].kind == TokenKind::string_lit);
  CHECK((*toks)[1].value == "a\n\"\xC3\xA9 ${x} %{y}");
}

TEST_CASE("interpolations switch back to expression tokens until the closing brace",
          "[bakefile][hcl][lexer]") {
  using K = TokenKind;
  CHECK(kinds(R"("a${ {b = 1}.b }c")") ==
        std::vector<K>{K::oquote, K::string_lit, K::template_interp, K::lbrace, K::ident, K::equal,
                       K::number, K::rbrace, K::dot, K::ident, K::template_seq_end, K::string_lit,
                       K::cquote, K::eof});
}

TEST_CASE("strip markers are recorded on the template tokens", "[bakefile][hcl][lexer]") {
  SourceFile f{"t.hcl", R"("${~ a ~}")"};
  auto toks = lex(f);
  REQUIRE(toks);
  CHECK((*toks)[1].kind == TokenKind::template_interp);
  CHECK((*toks)[1].strip);
  CHECK((*toks)[3].kind == TokenKind::template_seq_end);
  CHECK((*toks)[3].strip);
}

TEST_CASE("a heredoc runs until its marker alone on a line", "[bakefile][hcl][lexer]") {
  SourceFile f{"t.hcl", "x = <<EOT\nhello\n  EOTX\nEOT\n"};
  auto toks = lex(f);
  REQUIRE(toks);
  CHECK((*toks)[2].kind == TokenKind::oheredoc);
  CHECK((*toks)[2].value == "EOT");
  CHECK((*toks)[3].value == "hello\n");
  CHECK((*toks)[4].value == "  EOTX\n");
  CHECK((*toks)[5].kind == TokenKind::cheredoc);
}

TEST_CASE("lexer errors name the file, line and column with a caret", "[bakefile][hcl][lexer]") {
  CHECK(lex_error("a = 1\nb = @") ==
        "t.hcl:2:5: Invalid character; this character is not used within the language\n"
        "b = @\n"
        "    ^");
  CHECK(lex_error("a = \"abc").find("t.hcl:1:6: Unterminated template string") == 0);
  CHECK(lex_error("a = \"\\q\"").find("Invalid escape sequence") != std::string::npos);
  CHECK(lex_error("a = <<EOT\nno end\n").find("Unterminated heredoc") != std::string::npos);
  CHECK(lex_error("/* open").find("t.hcl:1:1: Unterminated comment") == 0);
}

TEST_CASE("columns count characters, not bytes", "[bakefile][hcl][lexer]") {
  CHECK(lex_error("é = @").find("t.hcl:1:5:") == 0);
}
