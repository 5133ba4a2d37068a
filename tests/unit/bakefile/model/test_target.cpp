// Merge rules per attribute follow buildx's Target.Merge (bake.go), as
// summarised in shared/reference/buildx.md §4.5.

#include <catch2/catch.hpp>

#include "bakefile/model/target.hpp"

using namespace xbuild::bakefile;
using nlohmann::json;

namespace {

Target make(json attrs) {
  Target t;
  t.name = "t";
  for (auto& [k, v] : attrs.items())
    t.attrs[k] = v;
  return t;
}

} // namespace

TEST_CASE("every target attribute has exactly one spec", "[bakefile][model]") {
  std::vector<std::string> seen;
  for (const AttrSpec& a : target_attributes()) {
    CHECK(std::find(seen.begin(), seen.end(), a.name) == seen.end());
    seen.emplace_back(a.name);
  }
  CHECK(find_attribute("platforms") != nullptr);
  CHECK(find_attribute("platform") == nullptr);
}

TEST_CASE("replaced attributes take the later value", "[bakefile][model]") {
  for (const char* attr : {"context", "dockerfile", "target", "network", "shm-size", "call"}) {
    Target dst = make({{attr, "a"}});
    merge_target(dst, make({{attr, "b"}}));
    CHECK(dst.attrs[attr] == "b");
  }
  Target dst = make({{"tags", {"a"}}, {"platforms", {"linux/amd64"}}, {"pull", true}});
  merge_target(dst, make({{"tags", {"b"}}, {"platforms", {"linux/arm64"}}, {"pull", false}}));
  CHECK(dst.attrs["tags"] == json({"b"}));
  CHECK(dst.attrs["platforms"] == json({"linux/arm64"}));
  CHECK(dst.attrs["pull"] == false);
}

TEST_CASE("map attributes merge per key and skip nulls", "[bakefile][model]") {
  for (const char* attr : {"args", "labels", "contexts", "extra-hosts"}) {
    Target dst = make({{attr, {{"A", "1"}, {"B", "1"}}}});
    merge_target(dst, make({{attr, {{"B", "2"}, {"C", "2"}, {"A", nullptr}}}}));
    CHECK(dst.attrs[attr] == json({{"A", "1"}, {"B", "2"}, {"C", "2"}}));
  }
}

TEST_CASE("list attributes that append keep both sides", "[bakefile][model]") {
  for (const char* attr : {"annotations", "no-cache-filter", "ulimits", "entitlements"}) {
    Target dst = make({{attr, {"a"}}});
    merge_target(dst, make({{attr, {"b"}}}));
    CHECK(dst.attrs[attr] == json({"a", "b"}));
  }
}

TEST_CASE("keyed composable attributes replace entries with the same key", "[bakefile][model]") {
  Target dst = make({{"ssh", json::parse(R"([{"id":"default"},{"id":"k","paths":["a"]}])")}});
  merge_target(dst, make({{"ssh", json::parse(R"([{"id":"k","paths":["b"]}])")}}));
  CHECK(dst.attrs["ssh"] == json::parse(R"([{"id":"default"},{"id":"k","paths":["b"]}])"));
  Target res = make({{"resources", {{"memory", "1g"}, {"cpu", "1"}}}});
  merge_target(res, make({{"resources", {{"cpu", "2"}}}}));
  CHECK(res.attrs["resources"] == json({{"cpu", "2"}, {"memory", "1g"}}));
}

TEST_CASE("composable CSV entries parse into objects", "[bakefile][model]") {
  CHECK(*parse_composable("output", "type=local,dest=out") ==
        json({{"type", "local"}, {"dest", "out"}}));
  CHECK(*parse_composable("output", "out") == json({{"type", "local"}, {"dest", "out"}}));
  CHECK(*parse_composable("cache-to", "type=registry,ref=\"a,b\"") ==
        json({{"type", "registry"}, {"ref", "a,b"}}));
  CHECK(*parse_composable("secret", "type=env,id=t,src=TOKEN") ==
        json({{"id", "t"}, {"env", "TOKEN"}}));
  CHECK(*parse_composable("attest", "type=sbom,disabled=true") ==
        json({{"type", "sbom"}, {"disabled", true}}));
  CHECK_FALSE(parse_composable("output", "dest=x"));
  CHECK_FALSE(parse_composable("attest", "sbom"));
}

TEST_CASE("print fills defaults and drops empty values", "[bakefile][model]") {
  Target t = make({{"context", ""}, {"tags", json::array()}, {"args", {{"A", nullptr}}},
                   {"dockerfile-inline", "RUN echo ${X}"}});
  CHECK(print_target(t) == json({{"context", "."},
                                 {"dockerfile", "Dockerfile"},
                                 {"dockerfile-inline", "RUN echo $${X}"}}));
}
