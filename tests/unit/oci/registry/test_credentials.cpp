#include <catch2/catch.hpp>

#include <map>

#include "oci/registry/credentials.hpp"
#include "util/http.hpp"

using namespace xbuild;
using namespace xbuild::oci::registry;

namespace {

// Answers like docker-credential-<helper> would; records what it was asked.
class FakeRunner final : public CredentialHelperRunner {
public:
  std::map<std::string, HelperOutput> answers; // by "helper:input"
  std::vector<std::string> calls;
  Result<HelperOutput> run(const std::string& helper, const std::string& action,
                           const std::string& input) override {
    calls.push_back(helper + " " + action + " " + input);
    auto it = answers.find(helper + ":" + input);
    if (it == answers.end())
      return HelperOutput{1, "credentials not found in native keychain\n"};
    return it->second;
  }
};

std::string auth(const std::string& user_pass) { return util::base64_encode(user_pass); }

} // namespace

TEST_CASE("auths entries decode base64 user:password, passwords may hold colons",
          "[oci][registry][credentials]") {
  FakeRunner runner;
  std::string cfg = R"({"auths":{"reg.example:5000":{"auth":")" + auth("alice:s3:cr3t") +
                    R"("},"https://index.docker.io/v1/":{"auth":")" + auth("hub:pw") +
                    R"(","identitytoken":"refresh-1"},"https://legacy.example/v2/":{"auth":")" +
                    auth("bob:pw2") + R"("}}})";
  auto store = DockerCredentialStore::create(cfg, std::nullopt, runner);
  REQUIRE(store);
  auto a = (*store)->get("reg.example:5000");
  REQUIRE(a);
  CHECK(a->username == "alice");
  CHECK(a->password == "s3:cr3t");
  auto hub = (*store)->get("registry-1.docker.io");
  REQUIRE(hub);
  CHECK(hub->username == "hub");
  CHECK(hub->identity_token == "refresh-1");
  CHECK((*store)->get("legacy.example")->username == "bob");
  CHECK((*store)->get("unknown.example")->empty());
  CHECK(runner.calls.empty());
}

TEST_CASE("a configured helper wins over auths, even when it finds nothing",
          "[oci][registry][credentials]") {
  FakeRunner runner;
  runner.answers["pass:reg.example"] = {
      0, R"({"ServerURL":"reg.example","Username":"h","Secret":"hs"})"};
  runner.answers["store:https://index.docker.io/v1/"] = {
      0, R"({"Username":"<token>","Secret":"idt"})"};
  std::string cfg = R"({"credsStore":"store","credHelpers":{"reg.example":"pass"},
    "auths":{"reg.example":{"auth":")" +
                    auth("file:pw") + R"("},"other.example":{"auth":")" + auth("file2:pw") +
                    R"("}}})";
  auto store = DockerCredentialStore::create(cfg, std::nullopt, runner);
  REQUIRE(store);
  auto a = (*store)->get("reg.example");
  REQUIRE(a);
  CHECK(a->username == "h");
  CHECK(a->password == "hs");
  // credsStore applies to other hosts; "not found" means anonymous, not the file entry.
  auto b = (*store)->get("other.example");
  REQUIRE(b);
  CHECK(b->empty());
  auto hub = (*store)->get("docker.io");
  REQUIRE(hub);
  CHECK(hub->identity_token == "idt");
  CHECK(hub->username.empty());
  CHECK(runner.calls == std::vector<std::string>{"pass get reg.example", "store get other.example",
                                                 "store get https://index.docker.io/v1/"});
}

TEST_CASE("a failing helper is an error that names the helper but no secret",
          "[oci][registry][credentials]") {
  FakeRunner runner;
  runner.answers["broken:reg.example"] = {1, "keychain locked\n"};
  auto store = DockerCredentialStore::create(R"({"credsStore":"broken"})", std::nullopt, runner);
  REQUIRE(store);
  auto r = (*store)->get("reg.example");
  REQUIRE_FALSE(r);
  CHECK(r.error().message.find("docker-credential-broken") != std::string::npos);
  CHECK(r.error().message.find("keychain locked") != std::string::npos);
}

TEST_CASE("DOCKER_AUTH_CONFIG overrides helpers and the file", "[oci][registry][credentials]") {
  FakeRunner runner;
  std::string env = R"({"auths":{"reg.example":{"auth":")" + auth("env:pw") + R"("}}})";
  auto store = DockerCredentialStore::create(R"({"credsStore":"store"})", env, runner);
  REQUIRE(store);
  CHECK((*store)->get("reg.example")->username == "env");
  CHECK(runner.calls.empty());
  CHECK_FALSE(DockerCredentialStore::create("", std::string(R"({"auths":{"r":{}}})"), runner));
  CHECK_FALSE(DockerCredentialStore::create("", std::string(R"({"other":1})"), runner));
  CHECK_FALSE(DockerCredentialStore::create("{not json", std::nullopt, runner));
}

TEST_CASE("redact hides every secret occurrence", "[oci][registry][credentials]") {
  CHECK(redact("user pw=hunter2 again hunter2", {"hunter2", ""}) == "user pw=*** again ***");
  CHECK(auth_config_key("docker.io") == "https://index.docker.io/v1/");
  CHECK(auth_config_key("localhost:5000") == "localhost:5000");
  CHECK(key_to_hostname("https://reg.example/v2/") == "reg.example");
}
