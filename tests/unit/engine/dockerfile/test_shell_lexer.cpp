#include <catch2/catch.hpp>

#include "engine/dockerfile/shell_lexer.hpp"

using namespace xbuild::engine::dockerfile;

namespace {
struct Vector {
  const char* input;
  const char* expected; // nullptr: must fail
};

void check_all(const std::vector<Vector>& vectors) {
  auto env = env_from_list({{"v", "foo/bar/baz.tar.gz"}, {"p", "aXbXc"}, {"e", ""},
                            {"sp", "a b"}, {"star", "a*b"}, {"nl", "a\nb"}});
  for (const auto& v : vectors) {
    INFO("input " << v.input);
    auto got = expand_word(v.input, env);
    if (!v.expected) {
      CHECK_FALSE(got);
    } else {
      REQUIRE(got);
      CHECK(*got == v.expected);
    }
  }
}
} // namespace

TEST_CASE("prefix removal with # is shortest and with ## is longest", "[dockerfile][shell]") {
  check_all({
      {"${v#*/}", "bar/baz.tar.gz"},
      {"${v##*/}", "baz.tar.gz"},
      {"${v#foo}", "/bar/baz.tar.gz"},
      {"${v#nomatch}", "foo/bar/baz.tar.gz"},
      {"${p#?X}", "bXc"},
      {"${p##*X}", "c"},
      {"${unset#x}", ""},
      {"${star#a\\*}", "b"},
      {"${v#}", "foo/bar/baz.tar.gz"},
      {"${v:#x}", nullptr},
  });
}

TEST_CASE("suffix removal with % is shortest and with %% is longest", "[dockerfile][shell]") {
  check_all({
      {"${v%.*}", "foo/bar/baz.tar"},
      {"${v%%.*}", "foo/bar/baz"},
      {"${v%/*}", "foo/bar"},
      {"${v%%/*}", "foo"},
      {"${p%X?}", "aXb"},
      {"${p%%X*}", "a"},
      {"${v%gz}", "foo/bar/baz.tar."},
      {"${v%\\q}", nullptr},
      {"${v:%x}", nullptr},
  });
}

TEST_CASE("replacement with / replaces the first match and // every match", "[dockerfile][shell]") {
  check_all({
      {"${v/\\//-}", "foo-bar/baz.tar.gz"},
      {"${v//\\//-}", "foo-bar-baz.tar.gz"},
      {"${p/X/_}", "a_bXc"},
      {"${p//X/_}", "a_b_c"},
      {"${p//X/}", "abc"},
      {"${p/X*/!}", "a!"},
      {"${p/?/z}", "zXbXc"},
      {"${p//nomatch/z}", "aXbXc"},
      {"${unset//a/b}", ""},
      {"${p/X", nullptr},
      {"${p/X/y", nullptr},
  });
}

TEST_CASE("default, alternative and required forms distinguish unset from empty",
          "[dockerfile][shell]") {
  check_all({
      {"${e-d}", ""},
      {"${e:-d}", "d"},
      {"${unset-d}", "d"},
      {"${e+a}", "a"},
      {"${e:+a}", ""},
      {"${e?}", ""},
      {"${e:?}", nullptr},
      {"${unset?custom message}", nullptr},
  });
  auto err = expand_word("${unset:?must be given}", env_from_list({}));
  REQUIRE_FALSE(err);
  CHECK(err.error().message.find("unset: must be given") != std::string::npos);
}

TEST_CASE("patterns do not match across a newline, like Go's regexp dot", "[dockerfile][shell]") {
  check_all({{"${nl#*b}", "a\nb"}, {"${nl#a?b}", "a\nb"}, {"${nl%%b}", "a\n"}});
}

TEST_CASE("unquoted expansions split into words and quoted ones do not", "[dockerfile][shell]") {
  auto env = env_from_list({{"sp", "a  b"}});
  auto w = expand_words("x${sp}y \"${sp}\" '$sp'", env);
  REQUIRE(w);
  CHECK(*w == std::vector<std::string>{"xa", "by", "a  b", "$sp"});
}

TEST_CASE("skip_unset keeps references to unset variables as written", "[dockerfile][shell]") {
  ShellOptions o;
  o.skip_unset = true;
  auto env = env_from_list({{"set", "1"}});
  auto w = expand_word("$set-$unset-${unset}-${unset:-x}", env, o);
  REQUIRE(w);
  CHECK(*w == "1-$unset-${unset}-${unset:-x}");
}

TEST_CASE("the backtick escape character escapes like a backslash does", "[dockerfile][shell]") {
  ShellOptions o;
  o.escape = '`';
  auto env = env_from_list({{"a", "1"}});
  auto w = expand_word("`$a \\$a \"`\"\"", env, o);
  REQUIRE(w);
  CHECK(*w == "$a \\1 \"");
}

TEST_CASE("expansion reports which variables it used", "[dockerfile][shell]") {
  auto r = expand("$a ${b:-x} ${c}", env_from_list({{"a", "1"}}));
  REQUIRE(r);
  CHECK(r->matched == std::set<std::string>{"a"});
  CHECK(r->unmatched == std::set<std::string>{"c"}); // b has a default
}

TEST_CASE("shell patterns match whole strings only", "[dockerfile][shell]") {
  CHECK(shell_pattern_match("a*c", "abbbc"));
  CHECK_FALSE(shell_pattern_match("a*c", "abbbcd"));
  CHECK(shell_pattern_match("??", "한국"));
  CHECK(shell_pattern_match("\\*", "*"));
  CHECK_FALSE(shell_pattern_match("\\*", "x"));
}

TEST_CASE("nested empty-pattern replacements cannot grow without bound", "[dockerfile][shell]") {
  auto env = env_from_list({{"a", "0123456789abcdef"}});
  std::string word = "x";
  for (int i = 0; i < 8; ++i)
    word = "${a//" "/" + word + "}";
  auto r = expand_word(word, env);
  REQUIRE_FALSE(r);
  CHECK(r.error().message.find("grows beyond 1 MiB") != std::string::npos);
  CHECK(expand_word("${a///-}", env) == std::string("-0-1-2-3-4-5-6-7-8-9-a-b-c-d-e-f-"));
}
