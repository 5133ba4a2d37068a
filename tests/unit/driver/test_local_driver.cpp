#include <catch2/catch.hpp>

#include "driver/build_request.hpp"
#include "util/fs.hpp"

using namespace xbuild;
using namespace xbuild::driver;

namespace {

BuildRequest target(std::string name, std::string dockerfile, std::vector<std::string> contexts = {}) {
  BuildRequest r;
  r.name = std::move(name);
  r.context_path = "-";
  r.dockerfile_text = std::move(dockerfile);
  r.build_contexts = std::move(contexts);
  return r;
}

} // namespace

// No RUN steps: these build without the sandbox (config-only images).
TEST_CASE("bake outcomes per target: failed to prepare, skipped through links, built",
          "[driver][bake][continue]") {
  util::TempDir dir("xbuild-driver-test");
  std::vector<BuildRequest> requests = {
      target("base", "FROM scratch\nENV A=1\n"),
      target("broken", ""),                                      // prepared below: no context
      target("user", "FROM b\nENV B=2\n", {"b=target:broken"}),  // links to broken
      target("chain", "FROM u\n", {"u=target:user"}),            // links to user
      target("app", "FROM base\nENV C=3\n", {"base=target:base"}),
  };
  requests[1].context_path = (dir.path() / "missing").string();
  requests[1].dockerfile_text = "FROM scratch\n";
  requests[4].outputs = {"type=oci,dest=" + (dir.path() / "app.tar").string()};
  using State = TargetOutcome::State;

  SECTION("continue: the rest is built and exported") {
    auto out = build_local_many_partial(dir.path() / "state", requests, {}, {Execution::keep_going, 1});
    REQUIRE(out);
    CHECK((*out)[0].state == State::built);
    CHECK((*out)[1].state == State::failed);
    CHECK((*out)[1].error.message.find("unable to prepare context") != std::string::npos);
    CHECK((*out)[2].state == State::skipped);
    CHECK((*out)[2].blocked_by == "broken");
    CHECK((*out)[3].state == State::skipped);
    CHECK((*out)[3].blocked_by == "broken");
    REQUIRE((*out)[4].state == State::built);
    CHECK((*out)[4].result.image_digest.rfind("sha256:", 0) == 0);
    CHECK(std::filesystem::exists(dir.path() / "app.tar"));
  }
  SECTION("fail-fast: nothing is built or exported, the failure is named") {
    auto out = build_local_many_partial(dir.path() / "state", requests, {}, {});
    REQUIRE(out);
    CHECK((*out)[1].state == State::failed);
    for (size_t i : {0, 2, 3, 4}) {
      CHECK((*out)[i].state == State::canceled);
      CHECK((*out)[i].blocked_by == "broken");
    }
    CHECK_FALSE(std::filesystem::exists(dir.path() / "app.tar"));
    auto plain = build_local_many(dir.path() / "state", requests, {});
    REQUIRE_FALSE(plain);
    CHECK(plain.error().message.find("unable to prepare context") != std::string::npos);
  }
}

TEST_CASE("a refused request fails like one that cannot be prepared", "[driver][bake][continue]") {
  util::TempDir dir("xbuild-driver-test");
  std::vector<BuildRequest> requests = {target("strict", "FROM scratch\n"),
                                        target("user", "FROM s\n", {"s=target:strict"}),
                                        target("other", "FROM scratch\n")};
  requests[0].refused = Error{"lint violation found for rules: X", 1};
  auto out = build_local_many_partial(dir.path() / "state", requests, {}, {Execution::keep_going, 0});
  REQUIRE(out);
  CHECK((*out)[0].state == TargetOutcome::State::failed);
  CHECK((*out)[0].error.message == "lint violation found for rules: X");
  CHECK((*out)[1].state == TargetOutcome::State::skipped);
  CHECK((*out)[2].state == TargetOutcome::State::built);
}
