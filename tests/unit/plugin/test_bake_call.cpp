#include <catch2/catch.hpp>

#include <cstdio>

#include "plugin/bake_call.hpp"
#include "util/fs.hpp"

using namespace xbuild;
using namespace xbuild::plugin;
using nlohmann::json;

namespace {

// Runs run_bake_calls and returns what it printed.
std::pair<int, std::string> calls(const json& print, engine::dockerfile::CallOptions flag = {}) {
  FILE* f = std::tmpfile();
  int code = run_bake_calls(print, flag, "linux/amd64", f);
  std::rewind(f);
  std::string out;
  char buf[4096];
  for (size_t n; (n = std::fread(buf, 1, sizeof buf, f)) > 0;)
    out.append(buf, n);
  std::fclose(f);
  return {code, out};
}

} // namespace

TEST_CASE("targets whose call is not build are the call targets", "[plugin][bake][call]") {
  json print = json::parse(R"({"target": {
    "b": {"call": "check"}, "a": {"call": "outline"}, "c": {"call": "build"}, "d": {}}})");
  CHECK(bake_call_targets(print) == std::vector<std::string>{"a", "b"});
}

TEST_CASE("a printed target becomes a subrequest input", "[plugin][bake][call]") {
  util::TempDir dir("xbuild-bake-call");
  REQUIRE(util::write_file_atomic(dir.path() / "build.Dockerfile", "FROM scratch\n"));
  json t = {{"context", dir.path().string()}, {"dockerfile", "build.Dockerfile"},
            {"args", {{"A", "$${x}"}, {"U", nullptr}}}, {"target", "final"},
            {"platforms", {"linux/arm64", "linux/amd64"}}};
  auto r = bake_call_request(t, "linux/amd64");
  REQUIRE(r);
  CHECK(r->dockerfile_text == "FROM scratch\n");
  CHECK(r->dockerfile_name == "build.Dockerfile");
  CHECK(r->context_dir == dir.path());
  CHECK(r->build_args == std::map<std::string, std::string>{{"A", "${x}"}});
  CHECK(r->target == "final");
  CHECK(r->target_platform == "linux/arm64");
  CHECK(r->build_platform == "linux/amd64");
  auto missing = bake_call_request({{"context", dir.path().string()}}, "linux/amd64");
  REQUIRE_FALSE(missing);
  CHECK(missing.error().message.find("Dockerfile") != std::string::npos);
}

TEST_CASE("bake --check prints each target's answer and fails on a warning", "[plugin][bake][call]") {
  json print = json::parse(R"({"target": {
    "clean": {"call": "check", "description": "all good",
              "dockerfile-inline": "FROM scratch AS base\nCOPY a /a\n"},
    "messy": {"call": "check", "dockerfile-inline": "FROM scratch AS base\ncopy a /a\n"},
    "built": {"dockerfile-inline": "FROM scratch\n"}}})");
  auto [code, out] = calls(print);
  CHECK(code == 1);
  CHECK(out.rfind("clean\nall good\n\nCheck complete, no warnings found.\n\nmessy\n\n"
                  "Check complete, 1 warning has been found!\n", 0) == 0);
  CHECK(out.find("ConsistentInstructionCasing") != std::string::npos);
  CHECK(out.find("built") == std::string::npos);

  SECTION("ignorestatus keeps the exit code 0") {
    engine::dockerfile::CallOptions flag;
    flag.ignore_status = true;
    CHECK(calls(print, flag).first == 0);
  }
  SECTION("format=json: one document with each target's definition and answer") {
    engine::dockerfile::CallOptions flag;
    flag.json = true;
    auto [jcode, jout] = calls(print, flag);
    CHECK(jcode == 1);
    auto doc = json::parse(jout);
    CHECK(doc["target"]["clean"]["check"]["warnings"].empty());
    CHECK(doc["target"]["messy"]["check"]["warnings"][0]["ruleName"] == "ConsistentInstructionCasing");
    CHECK(doc["target"]["built"]["build"].contains("dockerfile-inline"));
    CHECK_FALSE(doc["target"]["built"].contains("check"));
  }
}

TEST_CASE("an unreadable Dockerfile is an error for that target only", "[plugin][bake][call]") {
  json print = json::parse(R"({"target": {
    "gone": {"call": "outline", "context": "/nonexistent-xbuild-dir"},
    "ok": {"call": "targets", "dockerfile-inline": "FROM scratch AS one\nFROM scratch AS two\n"}}})");
  auto [code, out] = calls(print);
  CHECK(code == 1);
  CHECK(out.find("gone\n\nerror: failed to read dockerfile") != std::string::npos);
  CHECK(out.find("two (default)") != std::string::npos);
}

TEST_CASE("what is left to build keeps links and drops call targets", "[plugin][bake][call]") {
  json print = json::parse(R"({
    "group": {"default": {"targets": ["app", "lint"]}},
    "target": {
      "app": {"contexts": {"base": "target:base"}},
      "base": {"call": "check"},
      "lint": {"call": "check"}}})");
  auto rest = bake_build_part(print);
  CHECK(rest["target"].size() == 2);
  CHECK(rest["target"].contains("app"));
  CHECK(rest["target"].contains("base")); // linked: built, though asked to check
  CHECK_FALSE(rest["target"].contains("lint"));
  CHECK(rest["group"]["default"]["targets"] == json::array({"app"}));
}
