// JSON bake files follow HCL's JSON syntax as buildx reads it
// (bake/hcl_test.go TestHCLBasicInJSON, TestJSONFunctions; §4.8: JSON
// strings support the same ${} interpolation).

#include <catch2/catch.hpp>

#include "bakefile/hcl_loader.hpp"
#include "bakefile/model/resolve.hpp"

using namespace xbuild::bakefile;
using nlohmann::json;

namespace {

json print_json(const std::string& text, const std::vector<std::string>& targets = {},
                const LoadOptions& options = {}) {
  auto src = std::make_shared<hcl::SourceFile>(hcl::SourceFile{"docker-bake.json", text});
  auto config = load_hcl({src}, options);
  if (!config)
    return {{"error", config.error().message}};
  auto out = print_definition(*config, targets);
  if (!out)
    return {{"error", out.error().message}};
  return *out;
}

} // namespace

TEST_CASE("a JSON bake file prints like its HCL twin", "[bakefile][json]") {
  json out = print_json(R"J({
  "group": { "default": { "targets": ["db", "webapp"] } },
  "target": {
    "webapp": { "context": "./dir", "dockerfile": "Dockerfile-alternate",
                "args": { "buildno": "123" } },
    "db": { "context": "./db", "tags": ["docker.io/tonistiigi/db"] }
  }
})J");
  CHECK(out == json::parse(R"J({
    "group": {"default": {"targets": ["db", "webapp"]}},
    "target": {
      "db": {"context": "db", "dockerfile": "Dockerfile", "tags": ["docker.io/tonistiigi/db"]},
      "webapp": {"args": {"buildno": "123"}, "context": "dir", "dockerfile": "Dockerfile-alternate"}
    }})J"));
}

TEST_CASE("JSON strings interpolate variables and call functions", "[bakefile][json]") {
  const char* text = R"J({
  "//": "comments are keys starting with //",
  "variable": {
    "TAG": { "default": "latest" },
    "PORTS": { "type": "list(number)", "default": ["80", 443] }
  },
  "function": {
    "repo": { "params": ["name"], "variadic_params": "rest", "result": "me/${name}${join(\"\", rest)}" }
  },
  "target": {
    "app": {
      "tags": ["${repo(\"app\", \"-x\")}:${TAG}", "${upper(TAG)}"],
      "args": { "PORTS": "${join(\",\", PORTS)}", "NUM": 3, "FLAG": true }
    }
  }
})J";
  LoadOptions o;
  o.env = {{"TAG", "v1"}};
  json t = print_json(text, {"app"}, o)["target"]["app"];
  CHECK(t["tags"] == json({"me/app-x:v1", "V1"}));
  CHECK(t["args"] == json({{"FLAG", "true"}, {"NUM", "3"}, {"PORTS", "80,443"}}));
}

TEST_CASE("JSON blocks may repeat as lists and variables validate", "[bakefile][json]") {
  const char* text = R"J({
  "variable": { "V": { "default": "", "validation": [{ "condition": "${V != \"\"}",
                                                       "error_message": "V is required" }] } },
  "target": { "app": [ { "tags": ["a"] }, { "dockerfile": "x" } ] }
})J";
  CHECK(print_json(text, {"app"})["error"].get<std::string>().find("V is required") !=
        std::string::npos);
  LoadOptions o;
  o.env = {{"V", "set"}};
  json t = print_json(text, {"app"}, o)["target"]["app"];
  CHECK(t["tags"] == json({"a"}));
  CHECK(t["dockerfile"] == "x");
}

TEST_CASE("errors in JSON files point at the line and column", "[bakefile][json]") {
  std::string err = print_json("{\n  \"target\": {\n    \"app\": { \"tags\": [\"${NOPE}\"] }\n  }\n}\n",
                               {"app"})["error"];
  CHECK(err ==
        "docker-bake.json:3:26: Unknown variable; There is no variable named \"NOPE\".\n"
        "    \"app\": { \"tags\": [\"${NOPE}\n"
        "                         ^");
  std::string syntax = print_json("{\n  \"target\": {,\n}\n")["error"];
  CHECK(syntax.find("docker-bake.json:2:14: Invalid JSON;") == 0);
  // Found by the fuzzer: nlohmann throws out_of_range, not parse_error, here.
  CHECK(print_json("111e+888")["error"].get<std::string>().find("Invalid JSON") != std::string::npos);
  CHECK(print_json("[1]")["error"].get<std::string>().find("root of a bake file must be an object") !=
        std::string::npos);
}
