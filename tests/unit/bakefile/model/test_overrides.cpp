// --set behaviour from docs/reference/buildx_bake.md ("--set") and buildx's
// bake_test.go, as summarised in shared/reference/buildx.md §4.11.

#include <catch2/catch.hpp>

#include "../bake_test_util.hpp"
#include "bakefile/model/overrides.hpp"

using namespace xbuild::bakefile;
using namespace xbuild::bakefile::test;

namespace {

json print_set(const std::string& hcl, const std::vector<std::string>& sets,
               const std::vector<std::string>& targets = {},
               const std::map<std::string, std::string>& env = {}) {
  auto config = load({hcl});
  if (!config)
    return {{"error", config.error().message}};
  auto overrides = parse_overrides(sets, env);
  if (!overrides)
    return {{"error", overrides.error().message}};
  auto out = print_definition(*config, targets, *overrides);
  if (!out)
    return {{"error", out.error().message}};
  return *out;
}

const char* k_two = R"(
target "foo" {
  tags = ["foo:a"]
  args = { A = "1" }
}
target "bar" {
  inherits = ["foo"]
  tags = ["bar:a"]
}
)";

} // namespace

TEST_CASE("option --set replaces values on matching targets", "[bakefile][overrides]") {
  json out = print_set(k_two, {"foo.args.A=2", "*.platform=linux/arm64", "bar.dockerfile=x"},
                       {"foo", "bar"});
  CHECK(out["target"]["foo"]["args"]["A"] == "2");
  CHECK(out["target"]["foo"]["platforms"] == json({"linux/arm64"}));
  CHECK(out["target"]["bar"]["platforms"] == json({"linux/arm64"}));
  CHECK(out["target"]["bar"]["dockerfile"] == "x");
  CHECK(out["target"]["foo"]["dockerfile"] == "Dockerfile"); // bar.* does not touch foo
}

TEST_CASE("overrides aimed at a parent reach its children first", "[bakefile][overrides]") {
  // §4.5: parents are resolved including the --set overrides aimed at them,
  // then the child's own block is merged on top.
  json out = print_set(k_two, {"foo.args.A=2", "foo.tags=foo:b"}, {"bar"});
  CHECK(out["target"]["bar"]["args"]["A"] == "2");
  CHECK(out["target"]["bar"]["tags"] == json({"bar:a"})); // the child's own tags win
}

TEST_CASE("repeated list keys accumulate and += appends", "[bakefile][overrides]") {
  json out = print_set(k_two, {"foo.tags=x", "foo.tags=y"}, {"foo"});
  CHECK(out["target"]["foo"]["tags"] == json({"x", "y"}));
  out = print_set(k_two, {"foo.tags+=foo:b"}, {"foo"});
  CHECK(out["target"]["foo"]["tags"] == json({"foo:a", "foo:b"}));
}

TEST_CASE("boolean keys, composable lists, push and load", "[bakefile][overrides]") {
  json t = print_set(k_two, {"foo.no-cache=true", "foo.output=type=tar,dest=o.tar",
                             "foo.cache-to=type=inline"},
                     {"foo"})["target"]["foo"];
  CHECK(t["no-cache"] == true);
  CHECK(t["output"] == json::parse(R"([{"dest":"o.tar","type":"tar"}])"));
  CHECK(t["cache-to"] == json::parse(R"([{"type":"inline"}])"));
  // §4.1: --push adds an image push when there is no output.
  CHECK(print_set(k_two, {"*.push=true"}, {"foo"})["target"]["foo"]["output"] ==
        json::parse(R"([{"push":"true","type":"image"}])"));
  // --load adds a docker export next to image outputs but not to local ones.
  CHECK(print_set(k_two, {"*.output=type=image", "*.load=true"}, {"foo"})["target"]["foo"]["output"] ==
        json::parse(R"([{"type":"image"},{"type":"docker"}])"));
  CHECK(print_set(k_two, {"*.output=type=local,dest=d", "*.load=true"}, {"foo"})["target"]["foo"]["output"] ==
        json::parse(R"([{"dest":"d","type":"local"}])"));
}

TEST_CASE("args without a value come from the environment", "[bakefile][overrides]") {
  CHECK(print_set(k_two, {"foo.args.B"}, {"foo"}, {{"B", "env"}})["target"]["foo"]["args"]["B"] ==
        "env");
  CHECK_FALSE(print_set(k_two, {"foo.args.B"}, {"foo"})["target"]["foo"]["args"].contains("B"));
}

TEST_CASE("malformed overrides fail with buildx's messages", "[bakefile][overrides]") {
  std::map<std::string, std::string> env;
  CHECK(parse_overrides({"foo=bar"}, env).error().message ==
        "invalid override key foo, expected target.name");
  CHECK(parse_overrides({"foo.tags"}, env).error().message ==
        "invalid override foo.tags, expected target.name=value");
  CHECK(parse_overrides({"foo.nope=1"}, env).error().message == "unknown key: nope");
  CHECK(parse_overrides({"foo.args=1"}, env).error().message ==
        "invalid format for args, expecting args.<name>=<value>");
  CHECK(parse_overrides({"foo.context+=x"}, env).error().message ==
        "invalid key context, context does not support append");
  CHECK(print_set(k_two, {"foo.no-cache=maybe"}, {"foo"})["error"] ==
        "invalid value maybe for boolean key no-cache");
  CHECK(print_set(k_two, {"nope*.tags=x"}, {"foo"})["error"] ==
        "could not find any target matching 'nope*'");
}
