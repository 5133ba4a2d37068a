#include <catch2/catch.hpp>

#include "plugin/bake_list.hpp"

using namespace xbuild;
using namespace xbuild::plugin;

namespace {

bakefile::Config sample() {
  bakefile::Config c;
  c.targets["app"].name = "app";
  c.targets["app"].attrs["description"] = "The app <main>";
  c.targets["db"].name = "db";
  c.targets["_private"].name = "_private";
  c.groups["default"] = {"default", {"db", "app"}, "Everything"};
  c.groups["ci"] = {"ci", {"db"}, ""};
  c.variables = {{"TAG", "", "Tag to use", "latest"},
                 {"N", "number", "", 3},
                 {"EMPTY", "", "", nullptr},
                 {"ON", "bool", "", true}};
  return c;
}

} // namespace

TEST_CASE("--list values: shorthand, type=/format= fields and buildx's errors", "[plugin][bake][list]") {
  auto a = parse_bake_list("targets");
  REQUIRE(a);
  CHECK(a->type == BakeListRequest::Type::targets);
  CHECK_FALSE(a->json);
  auto b = parse_bake_list("type=variables,format=json");
  REQUIRE(b);
  CHECK(b->type == BakeListRequest::Type::variables);
  CHECK(b->json);
  auto c = parse_bake_list("targets,format=json");
  REQUIRE(c);
  CHECK(c->json);
  auto bad_type = parse_bake_list("stages");
  REQUIRE_FALSE(bad_type);
  CHECK(bad_type.error().message.find("invalid list type \"stages\"") != std::string::npos);
  CHECK(bad_type.error().exit_code == 125);
  auto bad_format = parse_bake_list("type=targets,format=yaml");
  REQUIRE_FALSE(bad_format);
  CHECK(bad_format.error().message.find("invalid list format \"yaml\"") != std::string::npos);
  CHECK_FALSE(parse_bake_list("type=targets,color=red"));
}

TEST_CASE("tables pad with tabs like Go's tabwriter (tabwidth 8, padding 1)", "[plugin][bake][list]") {
  CHECK(tab_table({{"TARGET", "DESCRIPTION"}, {"app", "x"}}) == "TARGET\tDESCRIPTION\napp\tx\n");
  // An 8-character cell plus padding needs a second tab stop: every cell of
  // that column is padded to 16; a 7-character one still fits in 8.
  CHECK(tab_table({{"TARGET", "D"}, {"default1", ""}}) == "TARGET\t\tD\ndefault1\t\n");
  CHECK(tab_table({{"TARGET", "D"}, {"default", ""}}) == "TARGET\tD\ndefault\t\n");
}

TEST_CASE("--list=targets shows targets and groups sorted, private names hidden",
          "[plugin][bake][list]") {
  auto cfg = sample();
  CHECK(list_bake_targets(cfg, false) == "TARGET\tDESCRIPTION\n"
                                         "app\tThe app <main>\n"
                                         "ci\tdb\n"
                                         "db\t\n"
                                         "default\tEverything (app, db)\n");
  CHECK(list_bake_targets(cfg, true) == R"J([
  {
    "name": "app",
    "description": "The app \u003cmain\u003e"
  },
  {
    "name": "ci",
    "description": "db",
    "group": true
  },
  {
    "name": "db"
  },
  {
    "name": "default",
    "description": "Everything (app, db)",
    "group": true
  }
]
)J");
  CHECK(list_bake_targets(bakefile::Config{}, true) == "null\n");
}

TEST_CASE("--list=variables shows type, value (<null>) and description", "[plugin][bake][list]") {
  auto cfg = sample();
  CHECK(list_bake_variables(cfg, false) == "VARIABLE\tTYPE\tVALUE\tDESCRIPTION\n"
                                           "EMPTY\t\t\t<null>\t\n"
                                           "N\t\tnumber\t3\t\n"
                                           "ON\t\tbool\ttrue\t\n"
                                           "TAG\t\t\tlatest\tTag to use\n");
  CHECK(list_bake_variables(cfg, true) == R"J([
  {
    "name": "EMPTY"
  },
  {
    "name": "N",
    "type": "number",
    "value": "3"
  },
  {
    "name": "ON",
    "type": "bool",
    "value": "true"
  },
  {
    "name": "TAG",
    "description": "Tag to use",
    "value": "latest"
  }
]
)J");
}
