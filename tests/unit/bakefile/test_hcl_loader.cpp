// Expected outputs follow buildx's documented behaviour (docs/bake-reference.md,
// docs/reference/buildx_bake.md) and its tests (bake/hcl_test.go,
// bake/bake_test.go), as summarised in shared/reference/buildx.md §4–§5.

#include <catch2/catch.hpp>

#include "bake_test_util.hpp"

using namespace xbuild::bakefile;
using namespace xbuild::bakefile::test;

TEST_CASE("print shows the default group and its targets with defaults filled in",
          "[bakefile][loader]") {
  // docs/reference/buildx_bake.md, "--print".
  json out = print(R"(
group "default" {
  targets = ["db", "webapp-dev"]
}
target "webapp-dev" {
  dockerfile = "Dockerfile.webapp"
  tags = ["docker.io/username/webapp"]
}
target "webapp-release" {
  inherits = ["webapp-dev"]
  platforms = ["linux/amd64", "linux/arm64"]
}
target "db" {
  dockerfile = "Dockerfile.db"
  tags = ["docker.io/username/db"]
}
)");
  CHECK(out == json::parse(R"({
    "group": {"default": {"targets": ["db", "webapp-dev"]}},
    "target": {
      "db": {"context": ".", "dockerfile": "Dockerfile.db", "tags": ["docker.io/username/db"]},
      "webapp-dev": {"context": ".", "dockerfile": "Dockerfile.webapp",
                     "tags": ["docker.io/username/webapp"]}
    }})"));
}

TEST_CASE("inherits merges parents left to right, then the child", "[bakefile][loader]") {
  // §4.5: with d inherits [b, c], c overrides b; args merge per key.
  const char* hcl = R"(
target "b" {
  dockerfile = "b.Dockerfile"
  args = { A = "b", B = "b" }
  tags = ["b"]
}
target "c" {
  dockerfile = "c.Dockerfile"
  args = { B = "c", C = "c" }
}
target "d" {
  inherits = ["b", "c"]
  args = { C = "d" }
  annotations = ["x"]
}
)";
  json t = print(hcl, {"d"})["target"]["d"];
  CHECK(t["dockerfile"] == "c.Dockerfile");
  CHECK(t["args"] == json({{"A", "b"}, {"B", "c"}, {"C", "d"}}));
  CHECK(t["tags"] == json({"b"}));
  CHECK_FALSE(t.contains("inherits"));
}

TEST_CASE("inherits cycles are cut and unknown parents fail", "[bakefile][loader]") {
  json out = print("target \"a\" {\n inherits = [\"b\"]\n tags = [\"a\"]\n}\n"
                   "target \"b\" {\n inherits = [\"a\"]\n}\n",
                   {"a"});
  CHECK(out["target"]["a"]["tags"] == json({"a"}));
  CHECK(error_of("target \"a\" {\n inherits = [\"nope\"]\n}\n", {"a"}) ==
        "docker-bake.hcl:2:2: failed to find target nope\n inherits = [\"nope\"]\n ^");
}

TEST_CASE("appending attributes accumulate through inherits", "[bakefile][loader]") {
  json t = print(R"(
target "base" {
  annotations = ["a"]
  cache-from = ["type=registry,ref=x"]
  secret = ["id=s,src=one"]
  attest = ["type=sbom"]
}
target "app" {
  inherits = ["base"]
  annotations = ["b", "a"]
  cache-from = ["type=registry,ref=x", "type=gha"]
  secret = ["id=s,src=two"]
  attest = ["type=sbom,disabled=true", "type=provenance,mode=max"]
}
)",
                 {"app"})["target"]["app"];
  CHECK(t["annotations"] == json({"a", "b"})); // appended, then deduped
  // buildx util/buildflags: cache-from and secrets drop exact duplicates,
  // attest keeps one entry per type (the later, in the first's place); the
  // order is kept, never sorted.
  CHECK(t["cache-from"] ==
        json::parse(R"([{"ref":"x","type":"registry"},{"type":"gha"}])"));
  CHECK(t["secret"] == json::parse(R"([{"id":"s","src":"one"},{"id":"s","src":"two"}])"));
  CHECK(t["attest"] ==
        json::parse(R"([{"disabled":true,"type":"sbom"},{"mode":"max","type":"provenance"}])"));
}

TEST_CASE("duplicate target blocks merge with the later one winning", "[bakefile][loader]") {
  // bake/hcl_test.go TestHCLDuplicateTarget.
  json t = print("target \"app\" {\n dockerfile = \"x\"\n}\ntarget \"app\" {\n dockerfile = "
                 "\"y\"\n}\n",
                 {"app"})["target"]["app"];
  CHECK(t["dockerfile"] == "y");
}

TEST_CASE("variables come from --var, then the environment, then the default",
          "[bakefile][loader]") {
  const char* hcl = "variable \"TAG\" {\n  default = \"latest\"\n}\n"
                    "target \"app\" {\n  tags = [\"app:${TAG}\"]\n}\n";
  CHECK(print(hcl, {"app"})["target"]["app"]["tags"] == json({"app:latest"}));
  LoadOptions env;
  env.env["TAG"] = "env";
  CHECK(print(hcl, {"app"}, env)["target"]["app"]["tags"] == json({"app:env"}));
  env.vars["TAG"] = "cli";
  CHECK(print(hcl, {"app"}, env)["target"]["app"]["tags"] == json({"app:cli"}));
  LoadOptions disabled;
  disabled.env["TAG"] = "env";
  disabled.env["BUILDX_BAKE_DISABLE_VARS_ENV_LOOKUP"] = "1";
  CHECK(print(hcl, {"app"}, disabled)["target"]["app"]["tags"] == json({"app:latest"}));
}

TEST_CASE("untyped variables read env strings as the default's type", "[bakefile][loader]") {
  // §4.6: a bool or number default makes the env string convert.
  const char* hcl = R"(
variable "PUSH" { default = false }
variable "N" { default = 1 }
variable "EMPTY" {}
target "app" {
  args = { push = PUSH ? "yes" : "no", next = add(N, 1), empty = "[${EMPTY}]" }
}
)";
  LoadOptions o;
  o.env = {{"PUSH", "true"}, {"N", "41"}};
  CHECK(print(hcl, {"app"}, o)["target"]["app"]["args"] ==
        json({{"push", "yes"}, {"next", "42"}, {"empty", "[]"}}));
  o.env = {{"N", "x"}};
  CHECK(error_of(hcl, {"app"}, o).find("failed to parse N") != std::string::npos);
  CHECK(error_of("variable \"L\" { default = [\"a\"] }\n", {}, LoadOptions{{}, {{"L", "x"}}}).find(
            "unsupported type tuple for variable L") != std::string::npos);
}

TEST_CASE("typed variables convert defaults and parse CSV or JSON overrides",
          "[bakefile][loader]") {
  const char* hcl = R"(
variable "PLATFORMS" {
  type = list(string)
  default = ["linux/amd64"]
}
variable "PORT" {
  type = number
}
target "app" {
  platforms = PLATFORMS
  args = { port = PORT == null ? "none" : PORT }
}
)";
  CHECK(print(hcl, {"app"})["target"]["app"]["platforms"] == json({"linux/amd64"}));
  CHECK(print(hcl, {"app"})["target"]["app"]["args"]["port"] == "none"); // typed, no default: null
  LoadOptions o;
  o.env = {{"PLATFORMS", "linux/arm64,linux/riscv64"}, {"PORT", "8080"}};
  json t = print(hcl, {"app"}, o)["target"]["app"];
  CHECK(t["platforms"] == json({"linux/arm64", "linux/riscv64"}));
  CHECK(t["args"]["port"] == "8080");
  o.env = {{"PLATFORMS_JSON", R"(["linux/s390x"])"}};
  CHECK(print(hcl, {"app"}, o)["target"]["app"]["platforms"] == json({"linux/s390x"}));
  o.env = {{"PORT", "abc"}};
  // buildx TestTypedVarOverrides "primitive with bad value format".
  CHECK(error_of(hcl, {"app"}, o).find("failed to parse PORT as number") != std::string::npos);
  CHECK(error_of("variable \"X\" {\n  type = number\n  default = \"abc\"\n}\n")
            .find("invalid type number for variable X default value") != std::string::npos);
}

TEST_CASE("variable cycles and unknown variables are reported with positions",
          "[bakefile][loader]") {
  CHECK(error_of("variable \"A\" { default = B }\nvariable \"B\" { default = A }\n")
            .find("variable cycle not allowed for") != std::string::npos);
  CHECK(error_of("target \"app\" {\n  tags = [\"${NOPE}\"]\n}\n") ==
        "docker-bake.hcl:2:14: Unknown variable; There is no variable named \"NOPE\".\n"
        "  tags = [\"${NOPE}\"]\n"
        "             ^");
}

TEST_CASE("validation blocks reject values whose condition is false", "[bakefile][loader]") {
  const char* hcl = R"(
variable "VERSION" {
  default = "1.0"
  validation {
    condition = VERSION != ""
    error_message = "The variable 'VERSION' must not be empty."
  }
  validation {
    condition = can(regex("^[0-9]+[.][0-9]+$", VERSION))
    error_message = "VERSION must look like 1.2, not ${VERSION}."
  }
}
target "default" {}
)";
  CHECK(error_of(hcl).empty());
  LoadOptions o;
  o.env = {{"VERSION", ""}};
  CHECK(error_of(hcl, {}, o).find("Validation failed; The variable 'VERSION' must not be empty.") !=
        std::string::npos);
  o.env = {{"VERSION", "x"}};
  CHECK(error_of(hcl, {}, o).find("VERSION must look like 1.2, not x.") != std::string::npos);
}

TEST_CASE("user functions take parameters and variadic rests", "[bakefile][loader]") {
  const char* hcl = R"(
function "tag" {
  params = [repo, version]
  result = "${repo}:${version}"
}
function "all" {
  params = [repo]
  variadic_params = versions
  result = [for v in versions : tag(repo, v)]
}
target "app" {
  tags = all("me/app", "1", "latest")
}
)";
  CHECK(print(hcl, {"app"})["target"]["app"]["tags"] == json({"me/app:1", "me/app:latest"}));
  CHECK(error_of("function \"f\" {\n  params = []\n  result = f()\n}\ntarget \"a\" {\n  tags = "
                 "[f()]\n}\n",
                 {"a"})
            .find("function cycle not allowed for f") != std::string::npos);
  CHECK(error_of("function \"f\" {\n  result = 1\n}\n").find("empty params not allowed for f") !=
        std::string::npos);
  CHECK(error_of("function \"f\" {\n  params = []\n}\n").find("empty result not allowed for f") !=
        std::string::npos);
}

TEST_CASE("top-level attributes are constants the environment cannot change",
          "[bakefile][loader]") {
  // bake/hcl_test.go TestHCLAttrs.
  LoadOptions o;
  o.env = {{"REPO", "from-env"}};
  json t = print("REPO = \"me/app\"\ntarget \"app\" {\n  tags = [REPO]\n}\n", {"app"}, o);
  CHECK(t["target"]["app"]["tags"] == json({"me/app"}));
}

TEST_CASE("built-in variables describe the local platform", "[bakefile][loader]") {
  LoadOptions o;
  o.local_platform = "linux/arm64";
  json t = print("target \"app\" {\n  platforms = [BAKE_LOCAL_PLATFORM]\n  context = "
                 "BAKE_CMD_CONTEXT\n}\n",
                 {"app"}, o);
  CHECK(t["target"]["app"]["platforms"] == json({"linux/arm64"}));
  // buildx toBuildOpt writes the context back before --print: cwd:// → ".".
  CHECK(t["target"]["app"]["context"] == ".");
}

TEST_CASE("matrix expands into named targets and an implicit group", "[bakefile][loader]") {
  // docs/bake-reference.md, "Target.matrix".
  json out = print(R"(
target "build" {
  name = "build-${tgt}"
  matrix = {
    tgt = ["example", "release"]
  }
  target = tgt
}
)",
                   {"build"});
  CHECK(out == json::parse(R"({
    "group": {"build": {"targets": ["build-example", "build-release"]},
              "default": {"targets": ["build"]}},
    "target": {
      "build-example": {"context": ".", "dockerfile": "Dockerfile", "target": "example"},
      "build-release": {"context": ".", "dockerfile": "Dockerfile", "target": "release"}
    }})"));
}

TEST_CASE("matrix values can be objects and combine as a product", "[bakefile][loader]") {
  json out = print(R"(
target "app" {
  name = "app-${replace(item.tag, ".", "-")}-${os}"
  matrix = {
    item = [{ tag = "1.0", args = "a" }, { tag = "2.0", args = "b" }]
    os = ["linux", "windows"]
  }
  args = { V = item.args }
}
)",
                   {"app"});
  CHECK(out["group"]["app"]["targets"] ==
        json({"app-1-0-linux", "app-1-0-windows", "app-2-0-linux", "app-2-0-windows"}));
  CHECK(out["target"]["app-2-0-windows"]["args"]["V"] == "b");
}

TEST_CASE("matrix and name errors", "[bakefile][loader]") {
  CHECK(error_of("target \"a\" {\n  name = \"x\"\n  matrix = { v = [1, 2] }\n}\n")
            .find("duplicate name \"x\"") != std::string::npos);
  CHECK(error_of("target \"a\" {\n  name = \"x\"\n}\n") ==
        "docker-bake.hcl:2:3: name requires matrix\n  name = \"x\"\n  ^");
  CHECK(error_of("target \"a\" {\n  name = \"x\"\n  matrix = [1]\n}\n").find("matrix must be a map") !=
        std::string::npos);
  CHECK(error_of("target \"a\" {\n  name = \"x${v}\"\n  matrix = { v = 1 }\n}\n")
            .find("matrix values must be a list") != std::string::npos);
  CHECK(error_of("group \"g\" {\n  matrix = {}\n}\n").find("matrix is not supported for groups") !=
        std::string::npos);
}

TEST_CASE("targets can read other targets' attributes", "[bakefile][loader]") {
  const char* hcl = R"(
target "base" {
  tags = ["base"]
  context = "./src"
}
target "app" {
  tags = concat(target.base.tags, ["app"])
  context = target.base.context
}
)";
  json t = print(hcl, {"app"})["target"]["app"];
  CHECK(t["tags"] == json({"base", "app"}));
  CHECK(t["context"] == "src"); // printed path.Clean'ed, as buildx's toBuildOpt leaves it
  CHECK(error_of("target \"a\" {\n  tags = target.b.tags\n}\ntarget \"b\" {\n  tags = "
                 "target.a.tags\n}\n",
                 {"a"})
            .find("reference cycle not allowed for target.") != std::string::npos);
}

TEST_CASE("composable attributes print as objects", "[bakefile][loader]") {
  // §4.12: composable fields print as objects, deduplicated but in their
  // written order (buildx's Normalize methods do not sort).
  json t = print(R"(
target "app" {
  output = ["type=tar,dest=out.tar"]
  cache-from = ["user/app:cache", { type = "local", src = "dir" }]
  cache-to = ["type=inline"]
  secret = ["id=token,env=TOKEN", "id=npm,src=./npmrc"]
  ssh = ["default", "key=/a,/b"]
}
)",
                 {"app"})["target"]["app"];
  CHECK(t["output"] == json::parse(R"([{"dest":"out.tar","type":"tar"}])"));
  CHECK(t["cache-from"] ==
        json::parse(R"([{"ref":"user/app:cache","type":"registry"},{"src":"dir","type":"local"}])"));
  CHECK(t["cache-to"] == json::parse(R"([{"type":"inline"}])"));
  CHECK(t["secret"] == json::parse(R"([{"env":"TOKEN","id":"token"},{"id":"npm","src":"./npmrc"}])"));
  CHECK(t["ssh"] == json::parse(R"([{"id":"default"},{"id":"key","paths":["/a","/b"]}])"));
}

TEST_CASE("print re-escapes template sequences in args and labels", "[bakefile][loader]") {
  // Target.MarshalJSON: the printed JSON can be fed back into bake.
  json t = print(R"(
target "app" {
  args = { A = "$${NOT_INTERPOLATED}" }
  labels = { "org.x" = "%%{x}" }
  dockerfile-inline = "FROM scratch\nRUN echo $${HOME}"
  tags = ["$${kept}"]
}
)",
                 {"app"})["target"]["app"];
  CHECK(t["args"]["A"] == "$${NOT_INTERPOLATED}");
  CHECK(t["labels"]["org.x"] == "%%{x}");
  CHECK(t["dockerfile-inline"] == "FROM scratch\nRUN echo $${HOME}");
  CHECK(t["tags"] == json({"${kept}"}));
}

TEST_CASE("unknown attributes and bad names are rejected with a suggestion",
          "[bakefile][loader]") {
  CHECK(error_of("target \"app\" {\n  platfroms = [\"linux/amd64\"]\n}\n") ==
        "docker-bake.hcl:2:3: Unsupported argument; an argument named \"platfroms\" is not "
        "expected here. Did you mean \"platforms\"?\n  platfroms = [\"linux/amd64\"]\n  ^");
  CHECK(error_of("target \"a/b\" {}\n").find("only \"[a-zA-Z0-9_-]+\" are allowed") !=
        std::string::npos);
  CHECK(error_of("target \"a\" \"b\" {}\n").find("invalid block label") != std::string::npos);
  CHECK(error_of("target \"a\" {\n  tags = \"x\"\n}\n").find("docker-bake.hcl:2:10: Incorrect "
                                                             "attribute value type") == 0);
  CHECK(error_of("foo \"a\" {}\n").find("Unsupported block type") != std::string::npos);
}

TEST_CASE("the default group wins over a default target", "[bakefile][loader]") {
  // §5 and bake_test.go TestGroupTargetsWithDefault.
  const char* both = "group \"default\" {\n  targets = [\"a\"]\n}\ntarget \"default\" {}\n"
                     "target \"a\" {}\n";
  json out = print(both);
  CHECK(out["group"]["default"]["targets"] == json({"a"}));
  CHECK(out["target"].size() == 1);
  json only_target = print("target \"default\" {}\n");
  CHECK(only_target["group"]["default"]["targets"] == json({"default"}));
  CHECK(only_target["target"].contains("default"));
  CHECK(error_of("target \"a\" {}\n") == "failed to find target default");
  json two = print("target \"default\" {}\ntarget \"multiarch\" {}\n", {"multiarch", "default"});
  CHECK(two["group"]["default"]["targets"] == json({"default", "multiarch"}));
}

TEST_CASE("groups nest, guard cycles and map dots to underscores", "[bakefile][loader]") {
  const char* hcl = R"(
group "all" { targets = ["web", "g2"] }
group "g2" { targets = ["api", "all"] }
target "web" {}
target "api" {}
target "v1_2" {}
)";
  json out = print(hcl, {"all"});
  CHECK(out["target"].size() == 2);
  CHECK(out["group"]["all"]["targets"] == json({"web", "g2"}));
  CHECK(out["group"].contains("g2"));
  CHECK(print(hcl, {"v1.2"})["target"].contains("v1_2"));
}

TEST_CASE("normalisation dedupes lists and drops empty strings", "[bakefile][loader]") {
  json t = print("target \"app\" {\n  tags = [\"a\", \"\", \"a\", \"b\"]\n  platforms = "
                 "[\"linux/amd64\", \"linux/amd64\"]\n  contexts = { x = \"\" }\n}\n",
                 {"app"})["target"]["app"];
  CHECK(t["tags"] == json({"a", "b"}));
  CHECK(t["platforms"] == json({"linux/amd64"}));
  CHECK_FALSE(t.contains("contexts"));
}

TEST_CASE("a later file's variable block overrides an earlier default", "[bakefile][loader]") {
  auto config = load({"variable \"TAG\" { default = \"a\" }\ntarget \"app\" { tags = [TAG] }\n",
                      "variable \"TAG\" { default = \"b\" }\n"});
  REQUIRE(config);
  auto out = print_definition(*config, {"app"});
  REQUIRE(out);
  CHECK((*out)["target"]["app"]["tags"] == json({"b"}));
}

TEST_CASE("null args leave the Dockerfile default in place", "[bakefile][loader]") {
  json t = print("target \"base\" {\n  args = { A = \"x\" }\n}\ntarget \"app\" {\n  inherits = "
                 "[\"base\"]\n  args = { A = null, B = null }\n}\n",
                 {"app"})["target"]["app"];
  CHECK(t["args"] == json({{"A", "x"}}));
}

TEST_CASE("variables are listed with type, description and resolved value",
          "[bakefile][loader]") {
  // §4.16: --list=variables shows name, type, value and description.
  LoadOptions o;
  o.env = {{"TAG", "v2"}};
  auto config = load({R"(
variable "TAG" {
  default = "latest"
  description = "Image tag"
}
variable "PLATFORMS" {
  type = list(string)
  default = ["linux/amd64"]
}
)"},
                     o);
  REQUIRE(config);
  REQUIRE(config->variables.size() == 2);
  CHECK(config->variables[0].name == "PLATFORMS");
  CHECK(config->variables[0].type == "list(string)");
  CHECK(config->variables[0].value == json({"linux/amd64"}));
  CHECK(config->variables[1].name == "TAG");
  CHECK(config->variables[1].description == "Image tag");
  CHECK(config->variables[1].type.empty());
  CHECK(config->variables[1].value == "v2");
}
