#include <catch2/catch.hpp>

#include "bakefile/hcl/parser.hpp"

using namespace xbuild::bakefile::hcl;

namespace {

std::string parse_error(const std::string& text) {
  auto f = parse_file("docker-bake.hcl", text);
  return f ? "" : f.error().message;
}

} // namespace

TEST_CASE("a body holds attributes and labelled blocks in order", "[bakefile][hcl][parser]") {
  auto f = parse_file("docker-bake.hcl", R"(
variable "TAG" {
  default = "latest"
}
group default { targets = ["app"] }
target "app" {
  tags = ["x:${TAG}"]
  nested "a" "b" {
  }
}
FOO = 1
)");
  REQUIRE(f);
  const Body& b = f->body;
  REQUIRE(b.blocks.size() == 3);
  CHECK(b.blocks[0].type == "variable");
  CHECK(b.blocks[0].labels == std::vector<std::string>{"TAG"});
  CHECK(b.blocks[1].labels == std::vector<std::string>{"default"}); // bare identifier label
  CHECK(b.blocks[1].body->attribute("targets") != nullptr);
  CHECK(b.blocks[2].body->blocks[0].labels == std::vector<std::string>{"a", "b"});
  REQUIRE(b.attributes.size() == 1);
  CHECK(b.attributes[0].name == "FOO");
  CHECK(b.attributes[0].name_range.begin.line == 11);
}

TEST_CASE("an attribute set twice in one body is an error at the second",
          "[bakefile][hcl][parser]") {
  CHECK(parse_error("a = 1\na = 2\n") ==
        "docker-bake.hcl:2:1: Attribute redefined; the argument \"a\" was already set at line 1\n"
        "a = 2\n"
        "^");
}

TEST_CASE("syntax errors point at the offending token", "[bakefile][hcl][parser]") {
  CHECK(parse_error("target \"a\" {\n  tags = [\"a\",\n}\n").find("docker-bake.hcl:3:1:") == 0);
  CHECK(parse_error("a = 1 2\n").find("docker-bake.hcl:1:7: Missing newline") == 0);
  CHECK(parse_error("target \"a\" x = 1\n").find("docker-bake.hcl:1:14: Invalid block") == 0);
  CHECK(parse_error("\"a\" = 1\n").find("Argument or block definition required") !=
        std::string::npos);
  CHECK(parse_error("a = (1 + \n").find("docker-bake.hcl:2:1:") == 0);
  CHECK(parse_error("a = \"${x\"\n") != "");
  CHECK(parse_error("a = \"%{if x}y\"\n").find("no matching %{endif}") != std::string::npos);
  CHECK(parse_error("a = \"%{endfor}\"\n").find("Unexpected template directive") !=
        std::string::npos);
  CHECK(parse_error("target \"${x}\" {}\n").find("Invalid block label") != std::string::npos);
}

TEST_CASE("newlines end attributes but not bracketed expressions", "[bakefile][hcl][parser]") {
  auto f = parse_file("t.hcl", "a = [\n  1,\n  2,\n]\nb = f(\n  1,\n  2)\nc = (1 +\n 2)\n");
  REQUIRE(f);
  CHECK(f->body.attributes.size() == 3);
}

TEST_CASE("object constructors accept newline, comma and colon separators",
          "[bakefile][hcl][parser]") {
  auto f = parse_file("t.hcl", "a = {\n  x = 1\n  y: 2, z = 3\n  \"q w\" = 4\n}\n");
  REQUIRE(f);
  const auto& obj = static_cast<const ObjectExpr&>(*f->body.attributes[0].expr);
  CHECK(obj.items.size() == 4);
  // A bare identifier key is a literal string, not a variable.
  CHECK(obj.items[0].first->kind == ExprKind::literal);
}

TEST_CASE("a deeply nested expression is an error, not a crash", "[bakefile][hcl][parser]") {
  std::string deep = "a = " + std::string(5000, '(') + "1" + std::string(5000, ')') + "\n";
  CHECK(parse_error(deep).find("too deeply nested") != std::string::npos);
  std::string unary = "a = " + std::string(5000, '-') + "1\n";
  CHECK(parse_error(unary).find("too deeply nested") != std::string::npos);
}

TEST_CASE("a single interpolation parses as a wrap and plain text as a literal",
          "[bakefile][hcl][parser]") {
  auto f = parse_file("t.hcl", "a = \"${x}\"\nb = \"plain\"\nc = \"x${y}\"\n");
  REQUIRE(f);
  CHECK(f->body.attributes[0].expr->kind == ExprKind::template_wrap);
  CHECK(f->body.attributes[1].expr->kind == ExprKind::literal);
  CHECK(f->body.attributes[2].expr->kind == ExprKind::template_);
}

TEST_CASE("edge cases of layout parse like HCL", "[bakefile][hcl][parser]") {
  CHECK(parse_file("t.hcl", "")); // an empty file is an empty body
  CHECK(parse_file("t.hcl", "a = 1")); // no newline at the end
  CHECK(parse_file("t.hcl", "a = 1 # comment at the end"));
  CHECK(parse_file("t.hcl", "a = 1\r\nb {\r\n  c = 2\r\n}\r\n")); // CRLF line endings
  CHECK(parse_file("t.hcl", "a = f(<<EOT\nx\nEOT\n, 2)\n")); // heredoc as an argument
  CHECK(parse_file("t.hcl", "a = \"${\"${\"deep\"}\"}\"\n")); // templates nest
  CHECK(parse_file("t.hcl", "b {}\nc { d = 1 }\n"));
  auto f = parse_file("t.hcl", "a = <<EOT\r\nline\r\nEOT\r\n");
  REQUIRE(f);
  CHECK(static_cast<const LiteralExpr&>(*f->body.attributes[0].expr).value.as_string() ==
        "line\r\n");
}
