#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "plugin/docker_endpoint.hpp"
#include "util/fs.hpp"

using namespace xbuild;
using namespace xbuild::plugin;

namespace {

void write_context(const std::filesystem::path& config_dir, const std::string& name,
                   const std::string& host, bool skip_verify = false) {
  nlohmann::json meta = {{"Name", name},
                         {"Metadata", nlohmann::json::object()},
                         {"Endpoints", {{"docker", {{"Host", host}, {"SkipTLSVerify", skip_verify}}}}}};
  REQUIRE(util::write_file_atomic(context_meta_path(config_dir, name), meta.dump()));
}

} // namespace

TEST_CASE("with nothing configured the default socket is used", "[plugin][endpoint]") {
  util::TempDir dir;
  auto ep = resolve_docker_endpoint({}, dir.path(), nlohmann::json::object(), {});
  REQUIRE(ep);
  CHECK(ep->context == "default");
  CHECK(ep->host == "unix:///var/run/docker.sock");
  CHECK_FALSE(ep->tls);
}

TEST_CASE("endpoint precedence follows the docker CLI", "[plugin][endpoint]") {
  util::TempDir dir;
  write_context(dir.path(), "flagctx", "unix:///flag.sock");
  write_context(dir.path(), "envctx", "unix:///env.sock");
  write_context(dir.path(), "cfgctx", "tcp://10.0.0.1:2376");
  nlohmann::json config = {{"currentContext", "cfgctx"}};
  EndpointEnv env{"unix:///docker-host.sock", "envctx", "", ""};

  DockerGlobalFlags flags;
  flags.context = "flagctx";
  SECTION("--context beats everything") {
    auto ep = resolve_docker_endpoint(flags, dir.path(), config, env);
    REQUIRE(ep);
    CHECK(ep->host == "unix:///flag.sock");
    CHECK(ep->context == "flagctx");
  }
  SECTION("-H beats the environment and config") {
    DockerGlobalFlags h;
    h.hosts = {"unix:///h.sock"};
    auto ep = resolve_docker_endpoint(h, dir.path(), config, env);
    REQUIRE(ep);
    CHECK(ep->host == "unix:///h.sock");
    CHECK(ep->context == "default");
  }
  SECTION("DOCKER_HOST beats DOCKER_CONTEXT") {
    auto ep = resolve_docker_endpoint({}, dir.path(), config, env);
    REQUIRE(ep);
    CHECK(ep->host == "unix:///docker-host.sock");
  }
  SECTION("DOCKER_CONTEXT beats currentContext") {
    env.docker_host.clear();
    auto ep = resolve_docker_endpoint({}, dir.path(), config, env);
    REQUIRE(ep);
    CHECK(ep->host == "unix:///env.sock");
  }
  SECTION("currentContext from config.json is used last") {
    auto ep = resolve_docker_endpoint({}, dir.path(), config, EndpointEnv{});
    REQUIRE(ep);
    CHECK(ep->host == "tcp://10.0.0.1:2376");
    CHECK(ep->context == "cfgctx");
  }
}

TEST_CASE("the context flag and -H together are rejected", "[plugin][endpoint]") {
  util::TempDir dir;
  DockerGlobalFlags flags;
  flags.context = "x";
  flags.hosts = {"unix:///h.sock"};
  auto ep = resolve_docker_endpoint(flags, dir.path(), nlohmann::json::object(), {});
  REQUIRE_FALSE(ep);
  CHECK(ep.error().message.find("--host") != std::string::npos);
}

TEST_CASE("an unknown context names itself and how to list contexts", "[plugin][endpoint]") {
  util::TempDir dir;
  DockerGlobalFlags flags;
  flags.context = "nope";
  auto ep = resolve_docker_endpoint(flags, dir.path(), nlohmann::json::object(), {});
  REQUIRE_FALSE(ep);
  CHECK(ep.error().message.find("\"nope\"") != std::string::npos);
  CHECK(ep.error().message.find("docker context ls") != std::string::npos);
}

TEST_CASE("a stored context's TLS files are picked up", "[plugin][endpoint]") {
  util::TempDir dir;
  write_context(dir.path(), "remote", "tcp://example:2376");
  // The TLS directory is keyed by the sha256 of the name, like the meta dir.
  auto meta_dir = context_meta_path(dir.path(), "remote").parent_path().filename();
  auto tls = dir.path() / "contexts" / "tls" / meta_dir / "docker";
  REQUIRE(util::write_file_atomic(tls / "ca.pem", "ca"));
  REQUIRE(util::write_file_atomic(tls / "cert.pem", "cert"));
  REQUIRE(util::write_file_atomic(tls / "key.pem", "key"));
  DockerGlobalFlags flags;
  flags.context = "remote";
  auto ep = resolve_docker_endpoint(flags, dir.path(), nlohmann::json::object(), {});
  REQUIRE(ep);
  CHECK(ep->tls);
  CHECK(ep->ca_file == (tls / "ca.pem").string());
  CHECK(ep->key_file == (tls / "key.pem").string());
}

TEST_CASE("DOCKER_TLS_VERIFY with DOCKER_CERT_PATH turns on verified TLS", "[plugin][endpoint]") {
  util::TempDir dir;
  EndpointEnv env{"tcp://127.0.0.1:2376", "", "/certs", "1"};
  auto ep = resolve_docker_endpoint({}, dir.path(), nlohmann::json::object(), env);
  REQUIRE(ep);
  CHECK(ep->tls);
  CHECK_FALSE(ep->skip_verify);
  CHECK(ep->ca_file == "/certs/ca.pem");
  CHECK(ep->cert_file == "/certs/cert.pem");
}

TEST_CASE("the context meta path is keyed by the sha256 of the name", "[plugin][endpoint]") {
  auto p = context_meta_path("/cfg", "default");
  // sha256("default")
  CHECK(p.string() ==
        "/cfg/contexts/meta/37a8eec1ce19687d132fe29051dca629d164e2c4958ba141d5f4133a33f0688f/meta.json");
}
