#include <catch2/catch.hpp>

#include "engine/build/builder.hpp"
#include "util/fs.hpp"

using namespace xbuild;
using namespace xbuild::engine::build;

namespace {

BuildRequest dockerfile(std::string text) {
  BuildRequest r;
  r.dockerfile = std::move(text);
  r.platforms = {oci::host_platform()};
  return r;
}

BuildRequest linking(std::string text, size_t to) {
  BuildRequest r = dockerfile(std::move(text));
  r.contexts["base"] = NamedContext{NamedContext::Kind::linked, "", to};
  return r;
}

} // namespace

// Planning failures need no RUN sandbox: a Dockerfile that does not parse
// fails its request before any work.
TEST_CASE("contained runs fail one request, skip its linked users and build the rest",
          "[engine][build][continue]") {
  util::TempDir dir("xbuild-builder-test");
  auto state = EngineState::open(dir.path() / "state");
  REQUIRE(state);
  std::vector<BuildRequest> requests = {
      dockerfile("FROM scratch\nENV A=1\n"),         // 0: builds (config only)
      dockerfile("FROM scratch\nFROBNICATE x\n"),    // 1: fails to plan
      linking("FROM base\nENV B=2\n", 1),            // 2: links to 1: skipped
      linking("FROM base\nENV C=3\n", 2),            // 3: links to 2: skipped, blocked by 1
      linking("FROM base\nENV D=4\n", 0),            // 4: links to 0: builds
  };
  BuildContext ctx{state->get(), nullptr, nullptr};
  using State = RequestOutcome::State;

  SECTION("contain") {
    auto out = run_builds_partial(requests, ctx, {Execution::contain, 0});
    REQUIRE(out);
    REQUIRE(out->size() == 5);
    CHECK((*out)[0].state == State::built);
    CHECK((*out)[1].state == State::failed);
    CHECK((*out)[1].error.message.find("FROBNICATE") != std::string::npos);
    CHECK((*out)[2].state == State::skipped);
    CHECK((*out)[2].blocked_by == 1);
    CHECK((*out)[3].state == State::skipped);
    CHECK((*out)[3].blocked_by == 1);
    REQUIRE((*out)[4].state == State::built);
    const auto& env = (*out)[4].outcome.result.images.at(0).config.config.env;
    CHECK(std::find(env.begin(), env.end(), "A=1") != env.end()); // from the linked request
    CHECK(std::find(env.begin(), env.end(), "D=4") != env.end());
  }
  SECTION("fail-fast stops every other request and run_builds returns the error") {
    auto out = run_builds_partial(requests, ctx, {Execution::fail_fast, 0});
    REQUIRE(out);
    CHECK((*out)[1].state == State::failed);
    for (size_t i : {0, 2, 3, 4})
      CHECK((*out)[i].state == State::stopped);
    auto plain = run_builds(requests, ctx);
    REQUIRE_FALSE(plain);
    CHECK(plain.error().message.find("FROBNICATE") != std::string::npos);
  }
}
