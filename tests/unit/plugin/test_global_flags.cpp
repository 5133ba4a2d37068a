#include <catch2/catch.hpp>

#include "plugin/global_flags.hpp"

using namespace xbuild::plugin;

TEST_CASE("docker global flags before the plugin name are split off", "[plugin][flags]") {
  auto r = split_argv({"/p/docker-xbuild", "--context", "foo", "-D", "--log-level=warn",
                       "xbuild", "build", "--debug", "."},
                      true);
  REQUIRE(r);
  CHECK(r->docker.context == "foo");
  CHECK(r->docker.debug);
  CHECK(r->docker.log_level == "warn");
  // Everything after the plugin name belongs to the plugin, even flags that
  // look like docker's.
  CHECK(r->args == std::vector<std::string>{"build", "--debug", "."});
}

TEST_CASE("short docker flags accept attached and separate values", "[plugin][flags]") {
  auto r = split_argv({"p", "-cfoo", "-H", "unix:///tmp/d.sock", "--config", "/cfg", "--tlsverify",
                       "--tlscacert=/ca.pem", "xbuild", "version"},
                      true);
  REQUIRE(r);
  CHECK(r->docker.context == "foo");
  CHECK(r->docker.hosts == std::vector<std::string>{"unix:///tmp/d.sock"});
  CHECK(r->docker.config == "/cfg");
  CHECK(r->docker.tls_verify);
  CHECK(r->docker.tls);
  CHECK(r->docker.tls_ca == "/ca.pem");
  CHECK(r->args == std::vector<std::string>{"version"});
}

TEST_CASE("standalone runs leave unknown leading flags to the plugin parser", "[plugin][flags]") {
  auto r = split_argv({"docker-xbuild", "-D", "--builder", "b1", "ls"}, false);
  REQUIRE(r);
  CHECK(r->docker.debug);
  CHECK(r->args == std::vector<std::string>{"--builder", "b1", "ls"});
}

TEST_CASE("a docker flag missing its value is an error", "[plugin][flags]") {
  auto r = split_argv({"p", "--context"}, true);
  REQUIRE_FALSE(r);
  CHECK(r.error().message.find("--context") != std::string::npos);
}
