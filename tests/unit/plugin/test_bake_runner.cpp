#include <catch2/catch.hpp>

#include "plugin/bake_runner.hpp"

using namespace xbuild::plugin;
using nlohmann::json;

TEST_CASE("bake builds linked targets before the targets that use them", "[plugin][bake]") {
  json print = json::parse(R"({"target": {
    "app": {"context": ".", "contexts": {"base": "target:base"}},
    "base": {"context": "base", "contexts": {"tools": "target:tools"}},
    "tools": {"context": "tools"},
    "docs": {"context": "docs"}}})");
  auto order = bake_build_order(print);
  REQUIRE(order);
  auto pos = [&](const std::string& n) {
    return std::find(order->begin(), order->end(), n) - order->begin();
  };
  CHECK(order->size() == 4);
  CHECK(pos("tools") < pos("base"));
  CHECK(pos("base") < pos("app"));
}

TEST_CASE("a cycle of target links is reported with its path", "[plugin][bake]") {
  json print = json::parse(R"({"target": {
    "a": {"contexts": {"x": "target:b"}}, "b": {"contexts": {"y": "target:a"}}}})");
  auto order = bake_build_order(print);
  REQUIRE_FALSE(order);
  CHECK(order.error().message.find("a -> b -> a") != std::string::npos);
}

TEST_CASE("a printed target becomes a driver request", "[plugin][bake]") {
  json t = json::parse(R"({
    "context": "app", "dockerfile": "build/Dockerfile",
    "args": {"A": "1", "UNSET": null}, "target": "final",
    "platforms": ["linux/amd64", "linux/arm64"], "tags": ["r/app:1"],
    "output": [{"type": "oci", "dest": "out.tar"}],
    "secret": [{"id": "tok", "src": "tok.txt"}],
    "labels": {"k": "v"}, "contexts": {"base": "target:base"}, "no-cache": true})");
  auto r = bake_target_request("app", t);
  REQUIRE(r);
  CHECK(r->name == "app");
  CHECK(r->context_path == "app");
  CHECK(r->dockerfile_path == "app/build/Dockerfile");
  CHECK(r->build_args == std::map<std::string, std::string>{{"A", "1"}});
  CHECK(r->target == "final");
  CHECK(r->platforms.size() == 2);
  CHECK(r->outputs == std::vector<std::string>{"type=oci,dest=out.tar"});
  CHECK(r->secrets == std::vector<std::string>{"id=tok,src=tok.txt"});
  CHECK(r->labels == std::vector<std::string>{"k=v"});
  CHECK(r->build_contexts == std::vector<std::string>{"base=target:base"});
  CHECK(r->no_cache);
}

TEST_CASE("printed template escapes are undone before building", "[plugin][bake]") {
  auto r = bake_target_request("app", json::parse(R"({
    "dockerfile-inline": "FROM scratch\nARG A\nRUN echo $${A} 100%%{x}",
    "args": {"A": "$${B}"}, "tags": ["keep$${as-is}"]})"));
  REQUIRE(r);
  CHECK(r->dockerfile_text == "FROM scratch\nARG A\nRUN echo ${A} 100%{x}");
  CHECK(r->build_args.at("A") == "${B}");
  CHECK(r->tags.front() == "keep$${as-is}"); // not an escaped attribute
}

TEST_CASE("--execution takes fail-fast or continue; anything else is a usage error",
          "[plugin][bake][execution]") {
  CHECK(*parse_execution("") == xbuild::driver::Execution::fail_fast);
  CHECK(*parse_execution("fail-fast") == xbuild::driver::Execution::fail_fast);
  CHECK(*parse_execution("continue") == xbuild::driver::Execution::keep_going);
  CHECK(*parse_execution("defer-error") == xbuild::driver::Execution::keep_going);
  auto bad = parse_execution("sometimes");
  REQUIRE_FALSE(bad);
  CHECK(bad.error().exit_code == 125);
  CHECK(bad.error().message.find("invalid execution mode \"sometimes\"") != std::string::npos);
}

TEST_CASE("the continue summary names every target with its outcome, sorted",
          "[plugin][bake][execution]") {
  using xbuild::driver::TargetOutcome;
  using State = TargetOutcome::State;
  std::vector<TargetOutcome> outcomes(4);
  outcomes[0].state = State::built;
  outcomes[1].state = State::failed;
  outcomes[1].error.message = "failed to solve: [2/2] RUN exit 3: exit code: 3\nlast output lines:\n  x";
  outcomes[2].state = State::skipped;
  outcomes[2].blocked_by = "bad";
  outcomes[3].state = State::built;
  std::vector<std::string> names = {"web", "bad", "dependent", "api"};
  CHECK(bake_summary(names, outcomes, xbuild::driver::Execution::keep_going) ==
        "Bake summary (--execution continue): 2 built, 1 failed, 1 skipped\n"
        "TARGET      RESULT\n"
        "api         built\n"
        "bad         failed: failed to solve: [2/2] RUN exit 3: exit code: 3\n"
        "dependent   skipped: needs bad, which failed\n"
        "web         built\n");
  outcomes[0].state = outcomes[2].state = outcomes[3].state = State::canceled;
  auto ff = bake_summary(names, outcomes, xbuild::driver::Execution::fail_fast);
  CHECK(ff.find("target \"bad\" failed; not built or not exported: api, dependent, web") !=
        std::string::npos);
  CHECK(ff.find("--execution continue") != std::string::npos);
}

TEST_CASE("attributes the engine lacks are reported, not fatal", "[plugin][bake]") {
  json t = json::parse(R"({"context": ".",
    "cache-from": [{"type": "registry", "ref": "r/app:cache"}],
    "cache-to": [], "ssh": [{"id": "default"}], "tags": ["r/app:1"]})");
  auto r = bake_target_request("app", t);
  REQUIRE(r);
  CHECK(r->ignored == std::vector<std::string>{"cache-from", "ssh"});
  CHECK(r->tags == std::vector<std::string>{"r/app:1"});
}
