// Compose files as bake definitions, as buildx reads them (bake/compose.go,
// bake/compose_test.go) with compose-go's interpolation and dotenv rules.

#include <catch2/catch.hpp>

#include "bakefile/compose.hpp"
#include "bakefile/compose_env.hpp"
#include "bakefile/hcl_loader.hpp"
#include "bakefile/model/resolve.hpp"

using namespace xbuild::bakefile;
using nlohmann::json;

namespace {

using Files = std::vector<std::pair<std::string, std::string>>;

std::vector<std::shared_ptr<const hcl::SourceFile>> sources(const Files& files) {
  std::vector<std::shared_ptr<const hcl::SourceFile>> out;
  for (const auto& [name, text] : files)
    out.push_back(std::make_shared<hcl::SourceFile>(hcl::SourceFile{name, text}));
  return out;
}

ComposeOptions options(std::map<std::string, std::string> env = {},
                       std::map<std::string, std::string> disk = {}) {
  ComposeOptions o;
  o.env = std::move(env);
  o.home = "/home/u";
  o.read_file = [disk](const std::string& path) -> xbuild::Result<std::string> {
    auto it = disk.find(path);
    if (it == disk.end())
      return xbuild::fail("no such file");
    return it->second;
  };
  return o;
}

// The --print JSON of compose text, or {"error": message}; warnings go to
// `warnings` when given.
json print(const Files& files, const ComposeOptions& o = options(),
           std::vector<std::string> targets = {}, std::vector<std::string>* warnings = nullptr) {
  auto loaded = load_compose(sources(files), o);
  if (!loaded)
    return {{"error", loaded.error().message}};
  if (warnings)
    *warnings = loaded->warnings;
  auto out = print_definition(loaded->config, std::move(targets));
  if (!out)
    return {{"error", out.error().message}};
  return *out;
}

json print(const std::string& text, const ComposeOptions& o = options()) {
  return print(Files{{"compose.yaml", text}}, o);
}

std::string error_of(const std::string& text, const ComposeOptions& o = options()) {
  json j = print(text, o);
  return j.contains("error") ? j["error"].get<std::string>() : "";
}

EnvLookup lookup_in(std::map<std::string, std::string> env) {
  return [env](const std::string& k) -> std::optional<std::string> {
    auto it = env.find(k);
    return it == env.end() ? std::nullopt : std::optional<std::string>(it->second);
  };
}

} // namespace

TEST_CASE("compose services with build become targets in the default group",
          "[bakefile][compose]") {
  json out = print(R"(
services:
  db:
    build: ./db
    command: ./entrypoint.sh
    image: docker.io/tonistiigi/db
  webapp:
    build:
      context: ./dir
      additional_contexts:
        foo: ./bar
      dockerfile: Dockerfile-alternate
      network:
        none
      args:
        buildno: 123
      cache_from:
        - type=local,src=path/to/cache
      cache_to:
        - type=local,dest=path/to/cache
  external:
    image: verycooldb:1337
)");
  CHECK(out["group"]["default"]["targets"] == json({"db", "webapp"}));
  CHECK(out["target"]["db"] == json::parse(R"({"context": "db", "dockerfile": "Dockerfile",
                                               "tags": ["docker.io/tonistiigi/db"]})"));
  json web = out["target"]["webapp"];
  CHECK(web["context"] == "dir");
  CHECK(web["contexts"] == json({{"foo", "bar"}}));
  CHECK(web["dockerfile"] == "Dockerfile-alternate");
  CHECK(web["network"] == "none");
  CHECK(web["args"] == json({{"buildno", "123"}}));
  CHECK(web["cache-from"] == json::parse(R"([{"type": "local", "src": "path/to/cache"}])"));
  CHECK(web["cache-to"] == json::parse(R"([{"type": "local", "dest": "path/to/cache"}])"));
  CHECK_FALSE(out["target"].contains("external"));
}

TEST_CASE("compose image is a tag only when build.tags is empty", "[bakefile][compose]") {
  json out = print(R"(
services:
  a:
    image: example
    build:
      tags: [foo, bar]
  b:
    image: example
    build:
      x-bake:
        tags: b:x
  c:
    image: example
    build: .
)");
  CHECK(out["target"]["a"]["tags"] == json({"foo", "bar"}));
  CHECK(out["target"]["b"]["tags"] == json({"b:x"}));
  CHECK(out["target"]["c"]["tags"] == json({"example"}));
}

TEST_CASE("compose args without a value come from the service environment, then the project",
          "[bakefile][compose]") {
  json out =
      print(R"(
services:
  scratch:
    build:
      args:
        CT_ECR: foo
        FOO:
        NODE_ENV:
        FROM_FILE:
        UNSET:
        NULLED: null
    environment:
      - NODE_ENV=test
    env_file: app.env
)",
            options({{"FOO", "bar"}, {"NODE_ENV", "project"}}, {{"app.env", "FROM_FILE=f\n"}}));
  CHECK(out["target"]["scratch"]["args"] ==
        json({{"CT_ECR", "foo"}, {"FOO", "bar"}, {"NODE_ENV", "test"}, {"FROM_FILE", "f"}}));
}

TEST_CASE("compose args in list form and a missing env_file", "[bakefile][compose]") {
  json out = print(R"(
services:
  a:
    build:
      args: [A=1, B, C=]
)",
                   options({{"B", "from-env"}}));
  CHECK(out["target"]["a"]["args"] == json({{"A", "1"}, {"B", "from-env"}, {"C", ""}}));
  CHECK_THAT(error_of("services:\n  a:\n    build: .\n    env_file: missing.env\n"),
             Catch::Contains("env file missing.env not found") &&
                 Catch::Contains("compose.yaml:4"));
  CHECK(error_of("services:\n  a:\n    build: .\n    env_file:\n      - path: missing.env\n"
                 "        required: false\n") == "");
}

TEST_CASE("compose x-bake fields extend the build section", "[bakefile][compose]") {
  json out = print(R"(
services:
  addon:
    image: ct-addon:bar
    build:
      cache_from: [user/app:cache]
      cache_to: [user/app:cache]
      tags: [ct-addon:baz]
      ssh:
        key: path/to/key
      additional_contexts:
        alpine: docker-image://alpine:3.19
      x-bake:
        contexts:
          alpine: docker-image://alpine:3.13
          base: service:other.svc
        tags: [ct-addon:foo, ct-addon:baz]
        ssh: [default, other=path/to/otherkey]
        platforms: linux/amd64 linux/arm64
        cache-from:
          - user/app:cache
          - type=local,src=path/to/cache
        cache-to: type=local,dest=path/to/cache
        secret: id=mysecret,src=/local/secret
        output: type=docker
        pull: true
        no-cache: false
        no-cache-filter: [build]
  other.svc:
    build: ./other
)");
  json t = out["target"]["addon"];
  CHECK(t["tags"] == json({"ct-addon:baz", "ct-addon:foo"}));
  CHECK(t["platforms"] == json({"linux/amd64", "linux/arm64"}));
  CHECK(t["cache-from"] == json::parse(R"([{"type": "registry", "ref": "user/app:cache"},
                                           {"type": "local", "src": "path/to/cache"}])"));
  CHECK(t["cache-to"] == json::parse(R"([{"type": "registry", "ref": "user/app:cache"},
                                         {"type": "local", "dest": "path/to/cache"}])"));
  CHECK(t["ssh"] == json::parse(R"([{"id": "default"}, {"id": "key", "paths": ["path/to/key"]},
                                    {"id": "other", "paths": ["path/to/otherkey"]}])"));
  CHECK(t["secret"] == json::parse(R"([{"id": "mysecret", "src": "/local/secret"}])"));
  CHECK(t["output"] == json::parse(R"([{"type": "docker"}])"));
  CHECK(t["pull"] == true);
  CHECK(t["no-cache"] == false);
  CHECK(t["no-cache-filter"] == json({"build"}));
  // The build section's own contexts win; service: becomes target:.
  CHECK(t["contexts"] ==
        json({{"alpine", "docker-image://alpine:3.19"}, {"base", "target:other_svc"}}));
}

TEST_CASE("compose secrets map to file or env secrets", "[bakefile][compose]") {
  json out = print(R"(
services:
  webapp:
    build:
      secrets:
        - token
        - source: aws
          target: creds
secrets:
  token:
    environment: ENV_TOKEN
  aws:
    file: ~/.aws/credentials
)");
  CHECK(out["target"]["webapp"]["secret"] == json::parse(R"([{"id": "token", "env": "ENV_TOKEN"},
                        {"id": "aws", "src": "/home/u/.aws/credentials"}])"));
  CHECK_THAT(error_of("services:\n  a:\n    build:\n      secrets: [x]\nsecrets:\n  x:\n"
                      "    external: true\n"),
             Catch::Contains("unsupported external secret x"));
  CHECK_THAT(error_of("services:\n  a:\n    build:\n      secrets: [x]\n"),
             Catch::Contains("undefined build secret x"));
  // An external secret nobody builds with is fine.
  CHECK(error_of("services:\n  a:\n    build: .\nsecrets:\n  x:\n    external: true\n") == "");
}

TEST_CASE("compose shm_size, ulimits, extra_hosts, attestations and flags", "[bakefile][compose]") {
  json out = print(R"(
services:
  aws:
    build:
      shm_size: 128m
      ulimits:
        nofile: {soft: 1024, hard: 1024}
        nproc: 65535
      extra_hosts:
        somehost: 162.242.195.82
        multi: [10.0.0.1, 10.0.0.2]
      sbom: true
      provenance: mode=max
      no_cache: true
      pull: false
)");
  json t = out["target"]["aws"];
  CHECK(t["shm-size"] == "128MiB");
  CHECK(t["ulimits"] == json({"nofile=1024:1024", "nproc=65535:65535"}));
  CHECK(t["extra-hosts"] == json({{"somehost", "162.242.195.82"}, {"multi", "10.0.0.1,10.0.0.2"}}));
  // Attest.MarshalJSON prints "disabled" only when true.
  CHECK(t["attest"] == json::parse(R"([{"type": "sbom"},
                                       {"type": "provenance", "mode": "max"}])"));
  CHECK(t["no-cache"] == true);
  CHECK_FALSE(t.contains("pull"));
  CHECK_THAT(error_of("services:\n  a:\n    build:\n      ulimits:\n        bogus: 1\n"),
             Catch::Contains("invalid ulimit type: bogus"));
  CHECK_THAT(error_of("services:\n  a:\n    build:\n      shm_size: lots\n"),
             Catch::Contains("invalid size"));
}

TEST_CASE("compose service names: dots become underscores, others are refused",
          "[bakefile][compose]") {
  json out =
      print(Files{{"compose.yaml", "services:\n  a.b:\n    build: .\n"}}, options(), {"a.b"});
  CHECK(out["target"].contains("a_b"));
  CHECK_THAT(error_of("services:\n  \"a b\":\n    build: .\n"),
             Catch::Contains("invalid service name \"a b\""));
}

TEST_CASE("compose files merge: mappings per key, lists appended, scalars replaced",
          "[bakefile][compose]") {
  json out = print(Files{{"compose.yaml", R"(
services:
  app:
    build:
      context: ./one
      args: {A: "1", B: "1"}
      tags: [t1]
    environment: [E=1]
)"},
                         {"compose.override.yaml", R"(
services:
  app:
    build:
      args: [B=2]
      tags: [t2, t1]
      x-bake: {platforms: linux/arm64}
  new:
    build: ./new
)"}});
  json t = out["target"]["app"];
  CHECK(t["context"] == "one");
  CHECK(t["args"] == json({{"A", "1"}, {"B", "2"}}));
  CHECK(t["tags"] == json({"t1", "t2"}));
  CHECK(t["platforms"] == json({"linux/arm64"}));
  CHECK(out["group"]["default"]["targets"] == json({"app", "new"}));
}

TEST_CASE("compose interpolation follows compose-go's template rules", "[bakefile][compose]") {
  auto env = lookup_in({{"SET", "v"}, {"EMPTY", ""}});
  auto run = [&](const std::string& s) {
    auto r = interpolate(s, env);
    return r ? *r : "error: " + r.error().message;
  };
  CHECK(run("${SET}") == "v");
  CHECK(run("$SET/x") == "v/x");
  CHECK(run("a$$b") == "a$b");
  CHECK(run("$${SET}") == "${SET}");
  CHECK(run("${UNSET}") == "");
  CHECK(run("${UNSET:-d}") == "d");
  CHECK(run("${EMPTY:-d}") == "d");
  CHECK(run("${EMPTY-d}") == "");
  CHECK(run("${UNSET-d}") == "d");
  CHECK(run("${SET:+alt}") == "alt");
  CHECK(run("${EMPTY:+alt}") == "");
  CHECK(run("${EMPTY+alt}") == "alt");
  CHECK(run("${UNSET:-${SET}-x}") == "v-x");
  CHECK(run("${UNSET:?need it}") == "error: required variable UNSET is missing a value: need it");
  CHECK(run("${EMPTY?x}") == "");
  CHECK_THAT(run("${SET"), Catch::StartsWith("error: invalid interpolation format"));
  CHECK_THAT(run("a $ b"), Catch::StartsWith("error: invalid interpolation format"));
  std::vector<std::string> unset;
  REQUIRE(interpolate("${A}$B${C:-x}", env, &unset));
  CHECK(unset == std::vector<std::string>{"A", "B"});
}

TEST_CASE("compose unset variables warn; unsupported fields warn naming field and service",
          "[bakefile][compose]") {
  std::vector<std::string> warnings;
  json out = print(Files{{"compose.yaml", R"(
services:
  app:
    image: app:${TAG}
    platform: linux/arm64
    x-bake: {tags: [lost]}
    ports: ["${PORT}:80"]
    build:
      isolation: hyperv
      x-bake:
        platfroms: linux/amd64
)"}},
                   options(), {}, &warnings);
  REQUIRE_FALSE(out.contains("error"));
  CHECK(out["target"]["app"]["tags"] == json({"app:"}));
  auto has = [&](const std::string& s) {
    return std::any_of(warnings.begin(), warnings.end(),
                       [&](const std::string& w) { return w.find(s) != std::string::npos; });
  };
  CHECK(has("The \"TAG\" variable is not set"));
  CHECK_FALSE(has("PORT")); // runtime fields are not bake's business
  CHECK(has("service \"app\": build.isolation is not supported"));
  CHECK(has("service \"app\": x-bake belongs under build:"));
  CHECK(has("service \"app\": platform (linux/arm64) is not used by bake"));
  CHECK(has("service \"app\": x-bake.platfroms is not a bake field; ignored (did you mean "
            "\"platforms\"?)"));
}

TEST_CASE("compose errors name the file and line", "[bakefile][compose]") {
  CHECK_THAT(error_of("services:\n  app:\n    build: .\n   bad: [\n"),
             Catch::StartsWith("compose.yaml:4:4: invalid YAML"));
  CHECK_THAT(
      error_of("services:\n  app:\n    build:\n      contxt: .\n"),
      Catch::StartsWith("compose.yaml:4:15: service \"app\": build: unknown field \"contxt\"; "
                        "did you mean \"context\"?"));
  CHECK_THAT(error_of("services:\n  app:\n    build: .\n  app:\n    image: x\n"),
             Catch::Contains("mapping key \"app\" already defined at line 2"));
  CHECK_THAT(error_of("services:\n  app:\n    entrypoint: echo\n"),
             Catch::Contains("has neither an image nor a build context"));
  CHECK_THAT(error_of("version: '3'\n"), Catch::Contains("empty compose file"));
  CHECK_THAT(error_of("services:\n  app:\n    build:\n      no_cache: maybe\n"),
             Catch::StartsWith("compose.yaml:4:17: build.no_cache must be true or false"));
}

TEST_CASE("compose YAML anchors, aliases and merge keys", "[bakefile][compose]") {
  json out = print(R"(
x-common: &common
  context: ./src
  args: {X: "1"}
services:
  a:
    build:
      <<: *common
      target: a
  b:
    build:
      <<: [*common]
      context: ./b
)");
  CHECK(out["target"]["a"]["context"] == "src");
  CHECK(out["target"]["a"]["args"] == json({{"X", "1"}}));
  CHECK(out["target"]["b"]["context"] == "b");
}

TEST_CASE("dotenv files: quotes, comments, export and interpolation", "[bakefile][compose]") {
  auto parsed = parse_dotenv("# comment\n"
                             "export A=1\n"
                             "B='single ${A}'\n"
                             "C=\"double ${A}\\n\"\n"
                             "D=plain # trailing comment\n"
                             "E=${A}${FROM_ENV}\n"
                             "FROM_ENV\n"
                             "MISSING\n"
                             "F = spaced \n",
                             lookup_in({{"FROM_ENV", "env"}}));
  REQUIRE(parsed);
  std::map<std::string, std::string> m(parsed->begin(), parsed->end());
  CHECK(m == std::map<std::string, std::string>{{"A", "1"},
                                                {"B", "single ${A}"},
                                                {"C", "double 1\n"},
                                                {"D", "plain"},
                                                {"E", "1env"},
                                                {"FROM_ENV", "env"},
                                                {"F", "spaced"}});
  CHECK_FALSE(parse_dotenv("A=\"unterminated\n", lookup_in({})));
}

TEST_CASE("the compose project environment: process env, .env below it, --var above",
          "[bakefile][compose]") {
  auto env = compose_environment({{"A", "process"}, {"C", "process"}}, true,
                                 std::string("A=dotenv\nB=dotenv-${A}\n"), {{"C", "var"}});
  REQUIRE(env);
  CHECK(*env == std::map<std::string, std::string>{
                    {"A", "process"}, {"B", "dotenv-process"}, {"C", "var"}});
  auto off = compose_environment({{"A", "process"}}, false, std::nullopt, {});
  REQUIRE(off);
  CHECK(off->empty());
}

TEST_CASE("file formats: extension first, compose sniffed for other names", "[bakefile][compose]") {
  CHECK(format_from_name("compose.yaml") == FileFormat::compose);
  CHECK(format_from_name("x.YML") == FileFormat::compose);
  CHECK(format_from_name("docker-bake.json") == FileFormat::json);
  CHECK(format_from_name("docker-bake.hcl") == FileFormat::hcl);
  CHECK(format_from_name("bake.conf") == FileFormat::unknown);
  CHECK(check_compose({"x", "services:\n  a:\n    build: .\n"}));
  CHECK(check_compose({"x", "secrets:\n  a:\n    file: x\n"}));
  CHECK_FALSE(check_compose({"x", "{\"target\": {\"a\": {}}}"}));
  CHECK_FALSE(check_compose({"x", "target \"a\" {\n}\n"}));
}

TEST_CASE("compose targets come first and HCL merges onto them", "[bakefile][compose]") {
  auto compose = load_compose(sources({{"compose.yaml", R"(
services:
  app:
    image: app:compose
    build:
      context: ./app
      args: {A: "1", B: "2"}
)"}}),
                              options());
  REQUIRE(compose);
  auto hcl = load_hcl(sources({{"docker-bake.hcl", R"(
target "app" {
  args = { B = "hcl" }
  tags = ["app:hcl"]
}
target "debug" {
  inherits = ["app"]
}
group "default" {
  targets = ["debug"]
}
)"}}),
                      {});
  REQUIRE(hcl);
  Config config = compose->config;
  merge_config(config, *hcl);
  CHECK(config.target_order == std::vector<std::string>{"app", "debug"});
  CHECK(config.groups["default"].targets == std::vector<std::string>{"debug"});
  auto out = print_definition(config, {"app", "debug"});
  REQUIRE(out);
  json expected_app = json::parse(R"({"context": "app", "dockerfile": "Dockerfile",
                                      "args": {"A": "1", "B": "hcl"}, "tags": ["app:hcl"]})");
  CHECK((*out)["target"]["app"] == expected_app);
  CHECK((*out)["target"]["debug"] == expected_app);
}

TEST_CASE("compose extends builds a service on another one", "[bakefile][compose]") {
  json out = print(R"(
services:
  base:
    image: base:1
    build:
      context: ./base
      args: {A: "1", B: "1"}
      tags: [base:tag]
  app:
    extends: base
    build:
      args: {B: "2"}
  remote:
    extends:
      file: common/services.yml
      service: shared
    build:
      target: final
)",
                   options({}, {{"common/services.yml", R"(
services:
  shared:
    build:
      context: ./shared
      dockerfile: shared.Dockerfile
)"}}));
  REQUIRE_FALSE(out.contains("error"));
  json app = out["target"]["app"];
  CHECK(app["context"] == "base");
  CHECK(app["args"] == json({{"A", "1"}, {"B", "2"}}));
  CHECK(app["tags"] == json({"base:tag"}));
  // Paths of the extended file are relative to its directory.
  json remote = out["target"]["remote"];
  CHECK(remote["context"] == "common/shared");
  CHECK(remote["dockerfile"] == "shared.Dockerfile");
  CHECK(remote["target"] == "final");
  CHECK_THAT(
      error_of(
          "services:\n  a:\n    extends: b\n    build: .\n  b:\n    extends: a\n    build: .\n"),
      Catch::Contains("circular reference with extends"));
  CHECK_THAT(error_of("services:\n  a:\n    extends: nope\n    build: .\n"),
             Catch::Contains("service \"nope\" not found"));
}

TEST_CASE("compose include adds another project's services", "[bakefile][compose]") {
  auto disk = std::map<std::string, std::string>{
      {"sub/compose.yaml",
       "services:\n  foo:\n    build:\n      context: .\n      target: buildfoo\n"
       "secrets:\n  tok:\n    file: ./tok.txt\n"},
      {"loop.yaml", "include:\n  - loop.yaml\nservices:\n  x:\n    build: .\n"}};
  json out = print(R"(
include:
  - sub/compose.yaml
services:
  bar:
    build:
      context: .
      target: buildbar
      secrets: [tok]
)",
                   options({}, disk));
  REQUIRE_FALSE(out.contains("error"));
  CHECK(out["group"]["default"]["targets"] == json({"bar", "foo"}));
  CHECK(out["target"]["foo"]["context"] == "sub");
  CHECK(out["target"]["foo"]["target"] == "buildfoo");
  CHECK(out["target"]["bar"]["secret"] == json::parse(R"([{"id": "tok", "src": "sub/tok.txt"}])"));
  CHECK_THAT(
      error_of("include: [sub/compose.yaml]\nservices:\n  foo:\n    build: .\n", options({}, disk)),
      Catch::Contains("services.foo conflicts with imported resource"));
  CHECK_THAT(error_of("include: [loop.yaml]\nservices:\n  y:\n    build: .\n", options({}, disk)),
             Catch::Contains("nested more than"));
  std::vector<std::string> warnings;
  json with_env =
      print(Files{{"compose.yaml", "include:\n  - path: sub/compose.yaml\n    env_file: x.env\n"}},
            options({}, disk), {}, &warnings);
  CHECK(with_env["target"].contains("foo"));
  CHECK(warnings == std::vector<std::string>{"include env_file is not supported by bake; ignored"});
  CHECK_THAT(error_of("include: [missing.yaml]\nservices:\n  y:\n    build: .\n"),
             Catch::Contains("failed to read compose file missing.yaml"));
}
