#include <catch2/catch.hpp>

#include "engine/build/converter.hpp"

using namespace xbuild;
using namespace xbuild::engine::build;

namespace {

// Resolves any name to a one-layer image and remembers what was asked.
class FakeImages : public ImageSource {
public:
  Result<ResolvedImage> resolve(const std::string& name, const oci::Platform& p) override {
    resolved.push_back(name);
    ResolvedImage img;
    img.name = name;
    img.config.os = p.os;
    img.config.architecture = p.architecture;
    oci::Descriptor layer;
    layer.media_type = "application/vnd.oci.image.layer.v1.tar+gzip";
    layer.digest = oci::Digest::parse("sha256:" + std::string(64, 'c'), "test").value();
    img.layers = {layer};
    img.config.diff_ids = {oci::Digest::parse("sha256:" + std::string(64, 'd'), "test").value()};
    return img;
  }
  std::vector<std::string> resolved;
};

} // namespace

TEST_CASE("a stage the target does not need is never resolved, so its image is never pulled",
          "[engine][build][lazy]") {
  BuildRequest r;
  r.platforms = {oci::Platform::parse("linux/amd64").value()};
  r.dockerfile = "FROM reg.example/unused AS unused\nRUN echo never\n"
                 "FROM reg.example/tools AS tools\n"
                 "FROM reg.example/base\nCOPY --from=tools /t /t\nLABEL a=b\n";
  auto env = std::make_shared<OpEnv>();
  FakeImages images;
  Plan plan;
  REQUIRE(plan_build(plan, 0, r, env, images));
  CHECK(images.resolved == std::vector<std::string>{"reg.example/tools", "reg.example/base"});

  SECTION("unless it is the target") {
    r.target = "unused";
    FakeImages again;
    Plan p2;
    REQUIRE(plan_build(p2, 0, r, env, again));
    CHECK(again.resolved == std::vector<std::string>{"reg.example/unused"});
  }
}
