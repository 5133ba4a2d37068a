#include <catch2/catch.hpp>

#include "engine/dockerfile/evaluate.hpp"
#include "engine/dockerfile/parser.hpp"

using namespace xbuild::engine::dockerfile;

TEST_CASE("a stage on an image sees the image's ENV before its own", "[dockerfile][evaluate]") {
  std::string text = "FROM busybox\nENV PATH=/opt/bin:$PATH\nRUN echo $PATH\n";
  auto ast = parse(text);
  REQUIRE(ast);
  auto ins = parse_instructions(*ast, text);
  REQUIRE(ins);
  GlobalScope scope;
  auto graph = build_stage_graph(*ins, *ast, scope);
  REQUIRE(graph);
  std::map<size_t, EnvList> image_env = {{0, {{"PATH", "/usr/bin:/bin"}}}};
  auto ev = evaluate(*graph, scope, "Dockerfile", image_env);
  REQUIRE(ev);
  const auto& env = ev->stages[0].env;
  auto it = std::find_if(env.begin(), env.end(), [](auto& kv) { return kv.first == "PATH"; });
  REQUIRE(it != env.end());
  CHECK(it->second == "/opt/bin:/usr/bin:/bin");
  // Without the image's ENV the reference expands to nothing.
  auto bare = evaluate(*graph, scope);
  REQUIRE(bare);
  CHECK(bare->stages[0].env[0].second == "/opt/bin:");
}
