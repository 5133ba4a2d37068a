// Expected values are the documented examples of the cty stdlib functions
// (the same functions Terraform documents at developer.hashicorp.com/
// terraform/language/functions/<name>) and of buildx's docs/bake-stdlib.md.

#include <catch2/catch.hpp>

#include "hcl_test_util.hpp"

using namespace xbuild::bakefile::hcl::test;

TEST_CASE("format applies printf verbs", "[bakefile][hcl][functions]") {
  CHECK(eval_str("format(\"Hello, %s!\", \"Ander\")") == "Hello, Ander!");
  CHECK(eval_str("format(\"There are %d lights\", 4)") == "There are 4 lights");
  CHECK(eval_str("format(\"%v|%v|%v\", \"a\", 1.5, true)") == "a|1.5|true");
  CHECK(eval_str("format(\"%#v\", {a = [1]})") == "{\"a\":[1]}");
  CHECK(eval_str("format(\"%q\", \"x\\\"y\")") == "\"x\\\"y\"");
  CHECK(eval_str("format(\"%.2f\", 3.14159)") == "3.14");
  CHECK(eval_str("format(\"%5d|%-5d|%05d\", 42, 42, -42)") == "   42|42   |-0042");
  CHECK(eval_str("format(\"%x %X %o %b\", 255, 255, 8, 5)") == "ff FF 10 101");
  CHECK(eval_str("format(\"%x\", \"hi\")") == "6869");
  CHECK(eval_str("format(\"%[2]s %[1]s\", \"a\", \"b\")") == "b a");
  CHECK(eval_str("format(\"100%%\")") == "100%");
  CHECK(eval_str("format(\"%.3s\", \"abcdef\")") == "abc");
  CHECK(eval_error("format(\"%d\", 1.5)").find("value must be a whole number") !=
        std::string::npos);
  CHECK(eval_error("format(\"%s\")").find("not enough arguments") != std::string::npos);
  CHECK(eval_error("format(\"x\", 1)").find("too many arguments") != std::string::npos);
}

TEST_CASE("formatlist formats each element of list arguments", "[bakefile][hcl][functions]") {
  CHECK(eval_json("formatlist(\"Hello, %s!\", [\"Valentina\", \"Ander\"])") ==
        json({"Hello, Valentina!", "Hello, Ander!"}));
  CHECK(eval_json("formatlist(\"%s, %s!\", \"Salutations\", [\"Valentina\", \"Ander\"])") ==
        json({"Salutations, Valentina!", "Salutations, Ander!"}));
  CHECK(eval_error("formatlist(\"%s%s\", [\"a\"], [\"b\", \"c\"])").find("inconsistent") !=
        std::string::npos);
}

TEST_CASE("join and split are inverses around a separator", "[bakefile][hcl][functions]") {
  CHECK(eval_str("join(\", \", [\"foo\", \"bar\", \"baz\"])") == "foo, bar, baz");
  CHECK(eval_str("join(\", \", [\"foo\"])") == "foo");
  CHECK(eval_str("join(\"-\", [\"a\"], [\"b\", \"c\"])") == "a-b-c");
  CHECK(eval_json("split(\",\", \"foo,bar,baz\")") == json({"foo", "bar", "baz"}));
  CHECK(eval_json("split(\",\", \"foo\")") == json({"foo"}));
  CHECK(eval_json("split(\",\", \"\")") == json({""}));
  CHECK(eval_json("split(\"::\", \"a::b\")") == json({"a", "b"}));
}

TEST_CASE("case functions map letters and leave the rest", "[bakefile][hcl][functions]") {
  CHECK(eval_str("lower(\"HELLO\")") == "hello");
  CHECK(eval_str("lower(\"АЛЛО!\")") == "алло!");
  CHECK(eval_str("upper(\"hello\")") == "HELLO");
  CHECK(eval_str("upper(\"алло!\")") == "АЛЛО!");
  CHECK(eval_str("title(\"hello world\")") == "Hello World");
  CHECK(eval_str("title(\"foo-bar_baz\")") == "Foo-Bar_baz");
}

TEST_CASE("replace substitutes every occurrence", "[bakefile][hcl][functions]") {
  CHECK(eval_str("replace(\"1 + 2 + 3\", \"+\", \"-\")") == "1 - 2 - 3");
  CHECK(eval_str("replace(\"hello world\", \"world\", \"universe\")") == "hello universe");
}

TEST_CASE("trim functions remove prefixes, suffixes and cutsets", "[bakefile][hcl][functions]") {
  CHECK(eval_str("trimprefix(\"helloworld\", \"hello\")") == "world");
  CHECK(eval_str("trimprefix(\"helloworld\", \"cat\")") == "helloworld");
  CHECK(eval_str("trimsuffix(\"helloworld\", \"world\")") == "hello");
  CHECK(eval_str("trim(\"?!hello?!\", \"!?\")") == "hello");
  CHECK(eval_str("trim(\"foobar\", \"far\")") == "oob");
  CHECK(eval_str("trim(\"   hello! world.!  \", \"! \")") == "hello! world.");
  CHECK(eval_str("trimspace(\"  hello\\n\\n\")") == "hello");
  CHECK(eval_str("chomp(\"hello\\n\")") == "hello");
  CHECK(eval_str("chomp(\"hello\\r\\n\")") == "hello");
  CHECK(eval_str("chomp(\"hello\\n\\n\")") == "hello");
}

TEST_CASE("indent indents every line but the first", "[bakefile][hcl][functions]") {
  CHECK(eval_str("indent(2, \"[\\n  foo,\\n  bar,\\n]\\n\")") == "[\n    foo,\n    bar,\n  ]\n  ");
}

TEST_CASE("character functions count grapheme clusters", "[bakefile][hcl][functions]") {
  CHECK(eval_json("strlen(\"hello\")") == 5);
  CHECK(eval_json("length(\"👾🕹️\")") == 2); // joystick + variation selector is one character
  CHECK(eval_str("substr(\"hello world\", 1, 4)") == "ello");
  CHECK(eval_str("substr(\"🤔🤷\", 0, 1)") == "🤔");
  CHECK(eval_str("substr(\"hello world\", -5, -1)") == "world");
  CHECK(eval_str("substr(\"hello world\", 6, 10)") == "world");
  CHECK(eval_str("substr(\"hello\", 10, 1)") == "");
  CHECK(eval_str("reverse(\"hello\")") == "olleh");
}

TEST_CASE("regex returns the match, its groups, or its named groups",
          "[bakefile][hcl][functions]") {
  CHECK(eval_str("regex(\"[a-z]+\", \"53453453.345345aaabbbccc23454\")") == "aaabbbccc");
  CHECK(eval_json(R"X(regex("(\\d\\d\\d\\d)-(\\d\\d)-(\\d\\d)", "2019-02-01"))X") ==
        json({"2019", "02", "01"}));
  CHECK(eval_json(R"X(regex("^(?:(?P<scheme>[^:/?#]+):)?(?://(?P<authority>[^/?#]*))?", "https://terraform.io/docs/"))X") ==
        json({{"authority", "terraform.io"}, {"scheme", "https"}}));
  CHECK(eval_error("regex(\"[a-z]+\", \"53453453.34534523454\")")
            .find("pattern did not match any part of the given string") != std::string::npos);
  CHECK(eval_json("regexall(\"[a-z]+\", \"1234abcd5678efgh9\")") == json({"abcd", "efgh"}));
  CHECK(eval_json("length(regexall(\"[a-z]+\", \"123456789\")) > 0") == false);
  CHECK(eval_json("regex(\"(?i)ABC\", \"xabcx\")") == "abc");
}

TEST_CASE("regex_replace expands Go-style group references", "[bakefile][hcl][functions]") {
  CHECK(eval_str(R"X(regex_replace("v1.2.3", "^v(\\d+)\\.(\\d+).*$", "$2.$${1}"))X") == "2.1");
  CHECK(eval_str(R"X(regex_replace("a-b_c", "[^a-z]", ""))X") == "abc");
  CHECK(eval_str(R"X(regex_replace("ab", "(?P<x>a)", "[$x]"))X") == "[a]b");
  CHECK(eval_error("regex_replace(\"a\", \"(\", \"\")").find("invalid regular expression") !=
        std::string::npos);
}
