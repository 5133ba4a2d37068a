// libFuzzer target for what the registry client parses from the network or
// from user files: WWW-Authenticate challenges and scopes, URLs and Location
// resolution, base64 (round trip must hold), Retry-After, and config.json /
// DOCKER_AUTH_CONFIG credentials. The first byte picks the parser.

#include <cstdint>
#include <cstdlib>
#include <string>

#include "oci/registry/challenge.hpp"
#include "oci/registry/credentials.hpp"
#include "oci/registry/retry.hpp"
#include "util/http.hpp"

using namespace xbuild;
using namespace xbuild::oci::registry;

namespace {

class NoHelpers final : public CredentialHelperRunner {
public:
  Result<HelperOutput> run(const std::string&, const std::string&, const std::string&) override {
    return HelperOutput{1, "credentials not found in native keychain"};
  }
};

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0)
    return 0;
  std::string input(reinterpret_cast<const char*>(data) + 1, size - 1);
  switch (data[0] % 5) {
  case 0: {
    for (const auto& c : parse_www_authenticate({input}))
      (void)merge_scopes({c.param("scope"), "repository:a:pull"});
    (void)scopes_cover({input}, {"repository:a:pull"});
    break;
  }
  case 1: {
    if (auto p = util::parse_url(input))
      (void)p->authority();
    (void)util::resolve_url("https://reg.example:5000/v2/a/blobs/uploads/", input);
    (void)util::same_origin(input, "https://reg.example/");
    (void)util::append_query(input, "digest", input);
    break;
  }
  case 2: {
    auto decoded = util::base64_decode(util::base64_encode(input));
    if (!decoded || *decoded != input)
      std::abort(); // base64 must round-trip every byte string
    (void)util::base64_decode(input);
    break;
  }
  case 3:
    (void)parse_retry_after(input);
    break;
  case 4: {
    NoHelpers helpers;
    if (auto store = DockerCredentialStore::create(input, input, helpers))
      (void)(*store)->get("reg.example");
    if (auto store = DockerCredentialStore::create(input, std::nullopt, helpers))
      (void)(*store)->get("docker.io");
    break;
  }
  }
  return 0;
}
