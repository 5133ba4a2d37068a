#include <catch2/catch.hpp>

#include <map>
#include <mutex>

#include <nlohmann/json.hpp>

#include "oci/content_store.hpp"
#include "oci/registry/pull.hpp"
#include "oci/registry/push.hpp"
#include "tests/unit/oci/registry/fake_transport.hpp"
#include "util/fs.hpp"
#include "util/strings.hpp"

using namespace xbuild;
using namespace xbuild::oci;
using namespace xbuild::oci::registry;
using test::FakeTransport;
using test::response;

namespace {

RegistryOptions fast_options() {
  RegistryOptions o;
  o.retry.max_attempts = 3;
  o.retry.random = [] { return 0.5; };
  o.retry.sleep = [](std::chrono::milliseconds) { return true; };
  return o;
}

// A tiny in-memory registry: blobs and manifests by digest, tags → digest.
struct MemoryRegistry {
  std::mutex mutex;
  std::map<std::string, std::string> blobs;                             // digest → bytes
  std::map<std::string, std::pair<std::string, std::string>> manifests; // ref → (type, bytes)
  std::vector<std::string> log; // "PUT manifest <ref>", "PUT blob <digest>"
  int uploads = 0;

  util::HttpResult handle(const test::RecordedRequest& r) {
    std::lock_guard lock(mutex);
    auto path = r.url.substr(r.url.find("/v2/"));
    if (path == "/v2/")
      return response(200);
    auto query = path.find('?') == std::string::npos ? "" : path.substr(path.find('?') + 1);
    path = path.substr(0, path.find('?'));
    if (auto pos = path.find("/manifests/"); pos != std::string::npos) {
      auto ref = path.substr(pos + 11);
      if (r.method == "PUT") {
        auto ct = r.headers.get("Content-Type").value_or("");
        manifests[ref] = {ct, r.body};
        manifests[Digest::of(r.body).str()] = {ct, r.body};
        log.push_back("PUT manifest " + ref);
        return response(201, {{"Docker-Content-Digest", Digest::of(r.body).str()}});
      }
      auto it = manifests.find(ref);
      if (it == manifests.end())
        return response(404);
      return response(200,
                      {{"Content-Type", it->second.first},
                       {"Docker-Content-Digest", Digest::of(it->second.second).str()}},
                      r.method == "HEAD" ? "" : it->second.second);
    }
    if (auto pos = path.find("/blobs/uploads/"); pos != std::string::npos) {
      if (r.method == "POST")
        return response(202, {{"Location", "/v2/x/blobs/uploads/u" + std::to_string(++uploads)}});
      auto digest = query.substr(query.find("digest=") + 7);
      digest = util::starts_with(digest, "sha256%3A") ? "sha256:" + digest.substr(9) : digest;
      if (Digest::of(r.body).str() != digest)
        return response(400, {}, R"({"errors":[{"code":"DIGEST_INVALID"}]})");
      blobs[digest] = r.body;
      log.push_back("PUT blob " + digest);
      return response(201);
    }
    if (auto pos = path.find("/blobs/"); pos != std::string::npos) {
      auto it = blobs.find(path.substr(pos + 7));
      if (it == blobs.end())
        return response(404);
      return response(200, {}, r.method == "HEAD" ? "" : it->second);
    }
    return response(400);
  }
};

struct Image {
  std::string config, layer;
  ManifestBytes manifest;
};

Image make_image(const std::string& arch) {
  Image img;
  img.config =
      R"({"architecture":")" + arch + R"(","os":"linux","rootfs":{"type":"layers","diff_ids":[]}})";
  img.layer = "layer bytes for " + arch;
  ImageManifest m;
  m.config = descriptor_for(std::string(media_type::k_oci_config), img.config);
  m.layers = {descriptor_for(std::string(media_type::k_oci_layer), img.layer),
              descriptor_for(std::string(media_type::k_oci_layer), "shared base layer")};
  img.manifest = encode_manifest(m).value();
  return img;
}

} // namespace

TEST_CASE("push sends blobs once, then manifests by digest, then the index by tag",
          "[oci][registry][push]") {
  util::TempDir dir;
  auto store = ContentStore::open(dir.path()).value();
  auto amd = make_image("amd64"), arm = make_image("arm64");
  for (auto* img : {&amd, &arm}) {
    REQUIRE(store.put(img->config));
    REQUIRE(store.put(img->layer));
    REQUIRE(store.put(img->manifest.bytes));
  }
  REQUIRE(store.put("shared base layer"));
  ImageIndex index;
  for (auto* img : {&amd, &arm}) {
    auto d = img->manifest.descriptor();
    d.platform = Platform::parse(img == &amd ? "linux/amd64" : "linux/arm64").value();
    index.manifests.push_back(d);
  }
  auto root = encode_index(index).value();

  auto plan = plan_push(root, [&](const Descriptor& d) { return store.get(d.digest); });
  REQUIRE(plan);
  CHECK(plan->layers.size() == 3); // the shared base layer once
  CHECK(plan->configs.size() == 2);
  CHECK(plan->manifests.size() == 2);

  MemoryRegistry reg;
  FakeTransport t([&](const test::RecordedRequest& r) { return reg.handle(r); });
  StaticCredentialStore creds;
  RegistryClient client(t, creds, fast_options());
  ContentStoreBlobs blobs(store);
  PushOptions options;
  options.tags = {"v1", "latest"};
  auto stats = push_plan(client, {"reg.example", "app"}, *plan, blobs, options);
  REQUIRE(stats);
  CHECK(stats->uploaded == 5);
  REQUIRE(reg.log.size() == 9);
  for (size_t i = 0; i < 5; ++i)
    CHECK(util::starts_with(reg.log[i], "PUT blob "));
  CHECK(reg.log[5] == "PUT manifest " + amd.manifest.digest.str());
  CHECK(reg.log[6] == "PUT manifest " + arm.manifest.digest.str());
  CHECK(reg.log[7] == "PUT manifest v1");
  CHECK(reg.log[8] == "PUT manifest latest");
  CHECK(reg.manifests["v1"].second == root.bytes);

  // Pushing again uploads nothing.
  auto again = push_plan(client, {"reg.example", "app"}, *plan, blobs, options);
  REQUIRE(again);
  CHECK(again->uploaded == 0);
  CHECK(again->existed == 5);

  // Pull one platform into a fresh store: verified blobs, only that platform.
  util::TempDir dir2;
  auto store2 = ContentStore::open(dir2.path()).value();
  PullOptions po;
  po.platforms = {Platform::parse("linux/arm64").value()};
  auto pulled = pull_image(client, Reference::parse("reg.example/app:v1").value(), store2, po);
  if (!pulled)
    FAIL(pulled.error().message);
  CHECK(pulled->root.digest == root.digest);
  REQUIRE(pulled->manifests.size() == 1);
  CHECK(pulled->manifests[0].digest == arm.manifest.digest);
  CHECK(store2.get(Digest::of(arm.layer)).value() == arm.layer);
  CHECK_FALSE(store2.exists(Digest::of(amd.layer)));
  CHECK(pulled->blobs_fetched == 3);

  // Corrupt content served by the registry is refused, never stored.
  reg.blobs[Digest::of(amd.layer).str()] = "tampered";
  po.platforms = {Platform::parse("linux/amd64").value()};
  auto bad = pull_image(client, Reference::parse("reg.example/app:v1").value(), store2, po);
  REQUIRE_FALSE(bad);
  CHECK_FALSE(store2.exists(Digest::of(amd.layer)));
}

TEST_CASE("an identity token is exchanged with the OAuth2 POST form", "[oci][registry][auth]") {
  std::vector<std::string> token_bodies;
  FakeTransport t([&](const test::RecordedRequest& r) -> util::HttpResult {
    if (util::starts_with(r.url, "https://auth.example/token")) {
      if (r.method != "POST")
        return response(405);
      token_bodies.push_back(r.body);
      return response(200, {},
                      R"({"access_token":"at-1","expires_in":300,"refresh_token":"rt-2"})");
    }
    if (r.headers.get("Authorization") != "Bearer at-1")
      return response(401, {{"WWW-Authenticate",
                             R"(Bearer realm="https://auth.example/token",service="reg")"}});
    return response(200);
  });
  StaticCredentialStore creds;
  creds.set("reg.example", {"", "", "refresh-secret", ""});
  RegistryClient client(t, creds, fast_options());
  CHECK(client.blob_exists({"reg.example", "app"}, Digest::of("x")).value());
  REQUIRE(token_bodies.size() == 1);
  CHECK(token_bodies[0].find("grant_type=refresh_token") != std::string::npos);
  CHECK(token_bodies[0].find("refresh_token=refresh-secret") != std::string::npos);
  CHECK(token_bodies[0].find("scope=repository%3Aapp%3Apull") != std::string::npos);
  CHECK(token_bodies[0].find("service=reg") != std::string::npos);
}
