#include <catch2/catch.hpp>

#include "oci/image_config.hpp"

using namespace xbuild::oci;

TEST_CASE("an image config round-trips and keeps fields it does not model", "[oci][image_config]") {
  const std::string text = R"({
    "created": "2024-05-01T10:00:00Z",
    "architecture": "arm64",
    "os": "linux",
    "variant": "v8",
    "config": {"Env": ["PATH=/bin"], "Cmd": ["sh"], "Entrypoint": null,
               "ExposedPorts": {"80/tcp": {}}, "Labels": {"a": "b"},
               "Healthcheck": {"Test": ["CMD", "true"]}},
    "rootfs": {"type": "layers", "diff_ids": ["sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"]},
    "history": [{"created_by": "ADD file", "empty_layer": false}, {"created_by": "CMD", "empty_layer": true}],
    "moby.buildkit.buildinfo.v1": "e30="
  })";
  auto c = parse_image_config(text, "config");
  REQUIRE(c);
  CHECK(c->platform().normalized().str() == "linux/arm64");
  CHECK(c->config.cmd == std::vector<std::string>{"sh"});
  CHECK_FALSE(c->config.entrypoint);
  CHECK(c->config.exposed_ports == std::vector<std::string>{"80/tcp"});
  REQUIRE(c->diff_ids.size() == 1);
  CHECK(c->history.size() == 2);
  CHECK(c->history[1].empty_layer);
  std::string out = encode_image_config(*c);
  CHECK_THAT(out, Catch::Contains("\"Healthcheck\":{\"Test\":[\"CMD\",\"true\"]}"));
  CHECK_THAT(out, Catch::Contains("\"moby.buildkit.buildinfo.v1\":\"e30=\""));
  auto back = parse_image_config(out, "re-encoded");
  REQUIRE(back);
  CHECK(*back == *c);
  auto missing = parse_image_config(R"({"os":"linux","rootfs":{"type":"layers"}})", "cfg");
  REQUIRE_FALSE(missing);
  CHECK_THAT(missing.error().message, Catch::Contains("\"architecture\""));
}
