#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "driver/builder_store.hpp"
#include "driver/builders.hpp"
#include "util/fs.hpp"

using namespace xbuild;
using namespace xbuild::driver;

namespace {

NodeGroup sample(const std::string& name) {
  NodeGroup g{name, "local", false, {}};
  Node n;
  n.name = name + "0";
  n.platforms = {oci::Platform{"linux", "arm", "v7", "", {}, {}}};
  n.driver_opts = {{"root", "/srv/state"}};
  n.flags = {"--debug"};
  n.files = {{"buildkitd.toml", "[worker]\n\x01\xff binary"}};
  g.nodes.push_back(n);
  return g;
}

} // namespace

TEST_CASE("builder names follow buildx's rule and are stored lower-case", "[driver][store]") {
  CHECK(validate_builder_name("MyBuilder.v2_x-1").value() == "mybuilder.v2_x-1");
  CHECK_FALSE(validate_builder_name("1abc"));
  CHECK_FALSE(validate_builder_name("a/b"));
  CHECK_FALSE(validate_builder_name(""));
  CHECK(validate_builder_name("a b").error().message.find("may not contain symbols") !=
        std::string::npos);
}

TEST_CASE("an instance file round-trips in buildx's JSON shape", "[driver][store]") {
  auto g = sample("b1");
  std::string text = node_group_to_json(g);
  auto j = nlohmann::json::parse(text);
  CHECK(j["Name"] == "b1");
  CHECK(j["Nodes"][0]["Platforms"][0]["architecture"] == "arm");
  CHECK(j["Nodes"][0]["Platforms"][0]["variant"] == "v7");
  // Files are base64 in the file, bytes in memory.
  CHECK(j["Nodes"][0]["Files"]["buildkitd.toml"].get<std::string>().find("binary") ==
        std::string::npos);
  auto back = node_group_from_json(text, "x");
  REQUIRE(back);
  CHECK(back->nodes[0].files == g.nodes[0].files);
  CHECK(back->nodes[0].platforms == g.nodes[0].platforms);
  CHECK(back->nodes[0].driver_opts == g.nodes[0].driver_opts);
}

TEST_CASE("a corrupt instance file is an error naming the file", "[driver][store]") {
  auto r = node_group_from_json("{nope", "/cfg/xbuild/instances/b1");
  REQUIRE_FALSE(r);
  CHECK(r.error().message.find("/cfg/xbuild/instances/b1") != std::string::npos);
}

TEST_CASE("saved builders are listed, found and removed with their pointers", "[driver][store]") {
  util::TempDir dir;
  BuilderStore store(dir.path());
  REQUIRE(store.save(sample("b2")));
  REQUIRE(store.save(sample("b1")));
  auto all = store.list();
  REQUIRE(all);
  REQUIRE(all->size() == 2);
  CHECK((*all)[0].name == "b1");
  REQUIRE(store.set_current("unix:///var/run/docker.sock", "b1", false, true));
  REQUIRE(store.touch_activity("b1"));
  CHECK(store.last_activity("b1").has_value());
  REQUIRE(store.remove("b1"));
  CHECK_FALSE(store.get("b1").value().has_value());
  CHECK_FALSE(store.current().value().has_value());
  CHECK_FALSE(store.default_for("unix:///var/run/docker.sock").value().has_value());
  CHECK_FALSE(store.last_activity("b1").has_value());
  CHECK(store.get("b2").value().has_value());
}

TEST_CASE("the builder is chosen by flag, then current, then default, then local",
          "[driver][builders]") {
  util::TempDir dir;
  BuilderStore store(dir.path());
  REQUIRE(store.save(sample("flagged")));
  REQUIRE(store.save(sample("current")));
  REQUIRE(store.save(sample("ctxdefault")));
  const std::string key = "unix:///var/run/docker.sock";

  CHECK(resolve_builder(store, "", key).value().name == "default");
  CHECK(resolve_builder(store, "", key).value().driver == "local");

  REQUIRE(store.set_current("other-context", "ctxdefault", false, true));
  // Chosen for another endpoint: not ours.
  CHECK(resolve_builder(store, "", key).value().name == "default");
  CHECK(resolve_builder(store, "", "other-context").value().name == "ctxdefault");

  REQUIRE(store.set_current(key, "current", false, false));
  CHECK(resolve_builder(store, "", key).value().name == "current");
  // A global choice applies to every endpoint.
  REQUIRE(store.set_current(key, "current", true, false));
  CHECK(resolve_builder(store, "", "other-context").value().name == "current");
  // The flag beats everything; "default" is always the embedded engine.
  CHECK(resolve_builder(store, "flagged", key).value().name == "flagged");
  CHECK(resolve_builder(store, "default", key).value().driver == "local");
  auto missing = resolve_builder(store, "nope", key);
  REQUIRE_FALSE(missing);
  CHECK(missing.error().message.find("docker xbuild create --name nope") != std::string::npos);
}

TEST_CASE("driver names and options are validated with buildx's messages", "[driver][builders]") {
  CHECK(normalize_driver("docker-container").value() == "container");
  CHECK(normalize_driver("").value() == "local");
  auto bad = normalize_driver("remot");
  REQUIRE_FALSE(bad);
  CHECK(bad.error().message.find("did you mean \"remote\"") != std::string::npos);
  CHECK(validate_driver_opts("container", {{"image", "x"}, {"env.FOO", "1"}}));
  auto opt = validate_driver_opts("docker", {{"image", "x"}});
  REQUIRE_FALSE(opt);
  CHECK(opt.error().message.find("invalid driver option image for docker driver") !=
        std::string::npos);
  CHECK_FALSE(validate_driver_opts("remote", {{"cacert", "relative.pem"}}));
  CHECK_FALSE(validate_driver_opts("remote", {{"cert", "/c.pem"}}));
  CHECK(validate_driver_opts("remote", {{"cert", "/c.pem"}, {"key", "/k.pem"}}));
}

TEST_CASE("the local state directory honours the root driver option", "[driver][builders]") {
  auto g = sample("b1");
  CHECK(local_state_dir(g) == "/srv/state");
  g.nodes[0].driver_opts.clear();
  CHECK(local_state_dir(g).filename() == "b1");
}
