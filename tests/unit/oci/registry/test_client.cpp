#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "oci/registry/client.hpp"
#include "tests/unit/oci/registry/fake_transport.hpp"
#include "util/strings.hpp"

using namespace xbuild;
using namespace xbuild::oci;
using namespace xbuild::oci::registry;
using test::FakeTransport;
using test::response;

namespace {

const std::string k_bearer = R"(Bearer realm="https://auth.example/token",service="reg.example")";

RegistryOptions fast_options(std::vector<std::chrono::milliseconds>* sleeps = nullptr) {
  RegistryOptions o;
  o.retry.max_attempts = 4;
  o.retry.random = [] { return 0.5; };
  o.retry.sleep = [sleeps](std::chrono::milliseconds d) {
    if (sleeps)
      sleeps->push_back(d);
    return true;
  };
  return o;
}

bool has_auth(const test::RecordedRequest& r) { return r.headers.has("Authorization"); }

// A token server + registry: tokens encode their scopes; the registry
// demands a token holding `needed` for every /v2/<repo>/ request.
struct TokenRegistry {
  std::string user = "alice", pass = "pa55word";
  std::vector<std::string> token_scopes; // of each token request
  util::HttpResult handle(const test::RecordedRequest& r) {
    if (util::starts_with(r.url, "https://auth.example/token")) {
      if (r.headers.get("Authorization") != "Basic " + util::base64_encode(user + ":" + pass))
        return response(401, {}, R"({"details":"bad"})");
      std::string scopes;
      for (auto& part : util::split(r.url.substr(r.url.find('?') + 1), '&'))
        if (util::starts_with(part, "scope="))
          scopes += part.substr(6) + " ";
      token_scopes.push_back(scopes);
      return response(200, {}, nlohmann::json{{"token", "tok<" + scopes + ">"}}.dump());
    }
    auto authz = r.headers.get("Authorization").value_or("");
    if (r.url == "https://reg.example/v2/")
      return authz.empty() ? response(401, {{"WWW-Authenticate", k_bearer}}) : response(200);
    bool push = r.method != "GET" && r.method != "HEAD";
    std::string needed = push ? "pull%2Cpush" : "pull";
    if (authz.find("app%3A" + needed) == std::string::npos)
      return response(
          401,
          {{"WWW-Authenticate", k_bearer +
                                    ",scope=\"repository:app:" + (push ? "pull,push" : "pull") +
                                    "\",error=\"insufficient_scope\""}},
          R"({"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]})");
    if (r.method == "HEAD")
      return response(404);
    if (r.method == "PUT")
      return response(201);
    return response(200, {}, "");
  }
};

} // namespace

TEST_CASE("a bearer token is fetched with basic credentials and reused for covered scopes",
          "[oci][registry][client]") {
  TokenRegistry reg;
  FakeTransport t([&](const test::RecordedRequest& r) { return reg.handle(r); });
  StaticCredentialStore creds;
  creds.set("reg.example", {"alice", "pa55word", "", ""});
  RegistryClient client(t, creds, fast_options());
  Repo repo{"reg.example", "app"};
  CHECK(client.blob_exists(repo, Digest::of("x")).value() == false);
  CHECK(client.blob_exists(repo, Digest::of("y")).value() == false);
  REQUIRE(reg.token_scopes.size() == 1);
  CHECK(reg.token_scopes[0] == "repository%3Aapp%3Apull ");
  // The account parameter is sent, the password only in the Basic header.
  for (auto& r : t.requests)
    CHECK(r.url.find("pa55word") == std::string::npos);
}

TEST_CASE("a 401 asking for a wider scope fetches a merged token once and resends",
          "[oci][registry][client]") {
  TokenRegistry reg;
  FakeTransport t([&](const test::RecordedRequest& r) { return reg.handle(r); });
  StaticCredentialStore creds;
  creds.set("reg.example", {"alice", "pa55word", "", ""});
  RegistryClient client(t, creds, fast_options());
  Repo repo{"reg.example", "app"};
  REQUIRE(client.blob_exists(repo, Digest::of("x")));
  auto m = ManifestBytes::from(std::string(media_type::k_oci_index),
                               R"({"schemaVersion":2,"manifests":[]})");
  REQUIRE(client.put_manifest(repo, "v1", m));
  REQUIRE(reg.token_scopes.size() == 2);
  CHECK(reg.token_scopes[1] == "repository%3Aapp%3Apull%2Cpush ");
  CHECK(t.requests.back().method == "PUT");
  CHECK(t.requests.back().body == m.bytes);
  CHECK(t.requests.back().headers.get("Content-Type") == std::string(media_type::k_oci_index));
}

TEST_CASE("wrong credentials give a 401 error without the password", "[oci][registry][client]") {
  TokenRegistry reg;
  FakeTransport t([&](const test::RecordedRequest& r) { return reg.handle(r); });
  StaticCredentialStore creds;
  creds.set("reg.example", {"alice", "wrong-secret", "", ""});
  RegistryClient client(t, creds, fast_options());
  auto r = client.blob_exists({"reg.example", "app"}, Digest::of("x"));
  REQUIRE_FALSE(r);
  CHECK(r.error().message.find("HTTP 401") != std::string::npos);
  CHECK(r.error().message.find("reg.example") != std::string::npos);
  CHECK(r.error().message.find("wrong-secret") == std::string::npos);
}

TEST_CASE("basic-auth registries get credentials on every request", "[oci][registry][client]") {
  FakeTransport t([](const test::RecordedRequest& r) -> util::HttpResult {
    if (!r.headers.has("Authorization"))
      return response(401, {{"WWW-Authenticate", R"(Basic realm="reg")"}});
    return response(r.method == "HEAD" ? 200 : 404);
  });
  StaticCredentialStore creds;
  creds.set("reg.example", {"u", "p", "", ""});
  RegistryClient client(t, creds, fast_options());
  CHECK(client.blob_exists({"reg.example", "app"}, Digest::of("x")).value());
  CHECK(t.requests.size() == 2); // ping + HEAD, no retry needed
  CHECK(t.requests[1].headers.get("Authorization") == "Basic " + util::base64_encode("u:p"));
}

TEST_CASE("transient statuses are retried with backoff honouring Retry-After",
          "[oci][registry][client]") {
  int calls = 0;
  FakeTransport t([&](const test::RecordedRequest& r) -> util::HttpResult {
    if (util::ends_with(r.url, "/v2/"))
      return response(200);
    ++calls;
    if (calls == 1)
      return response(503, {{"Retry-After", "1"}});
    if (calls == 2)
      return tl::unexpected(util::TransportError{util::TransportErrorKind::reset, "reset"});
    return response(200);
  });
  StaticCredentialStore creds;
  std::vector<std::chrono::milliseconds> sleeps;
  RegistryClient client(t, creds, fast_options(&sleeps));
  CHECK(client.blob_exists({"reg.example", "app"}, Digest::of("x")).value());
  CHECK(calls == 3);
  REQUIRE(sleeps.size() == 2);
  CHECK(sleeps[0] == std::chrono::milliseconds(1000));
  CHECK(sleeps[1] == std::chrono::milliseconds(400)); // base 200 ms × 2
}

TEST_CASE("a registry that stays down fails after bounded attempts with a clear error",
          "[oci][registry][client]") {
  FakeTransport t([](const test::RecordedRequest& r) -> util::HttpResult {
    if (util::ends_with(r.url, "/v2/"))
      return response(200);
    return response(503);
  });
  StaticCredentialStore creds;
  RegistryClient client(t, creds, fast_options());
  auto r = client.blob_exists({"reg.example", "team/app"}, Digest::of("x"));
  REQUIRE_FALSE(r);
  CHECK(r.error().message.find("reg.example/team/app") != std::string::npos);
  CHECK(r.error().message.find("HTTP 503") != std::string::npos);
  CHECK(r.error().message.find("4 attempts") != std::string::npos);
  CHECK(t.requests.size() == 5);

  FakeTransport down([](const test::RecordedRequest&) -> util::HttpResult {
    return tl::unexpected(util::TransportError{util::TransportErrorKind::connect, "refused"});
  });
  RegistryClient client2(down, creds, fast_options());
  auto r2 = client2.blob_exists({"reg.example", "app"}, Digest::of("x"));
  REQUIRE_FALSE(r2);
  CHECK(r2.error().message.find("cannot reach registry reg.example") != std::string::npos);
  CHECK(down.requests.size() == 4);
}

TEST_CASE("a blob upload resolves Location, keeps its query and sends no credentials elsewhere",
          "[oci][registry][client]") {
  const std::string blob = "hello blob";
  auto desc = descriptor_for(std::string(media_type::k_oci_layer), blob);
  FakeTransport t([&](const test::RecordedRequest& r) -> util::HttpResult {
    if (!r.headers.has("Authorization") && util::starts_with(r.url, "https://reg.example"))
      return response(401, {{"WWW-Authenticate", R"(Basic realm="reg")"}});
    if (r.method == "HEAD")
      return response(404);
    if (r.method == "POST")
      return response(202, {{"Location", "https://storage.example/up/1?sig=abc"}});
    if (r.method == "PUT")
      return response(201, {{"Docker-Content-Digest", desc.digest.str()}});
    return response(500);
  });
  StaticCredentialStore creds;
  creds.set("reg.example", {"u", "p", "", ""});
  RegistryClient client(t, creds, fast_options());
  auto open = [&]() -> Result<util::BodySource> {
    auto off = std::make_shared<size_t>(0);
    return util::BodySource([&, off](char* buf, size_t n) -> Result<size_t> {
      size_t k = std::min(n, blob.size() - *off);
      std::copy_n(blob.data() + *off, k, buf);
      *off += k;
      return k;
    });
  };
  auto up = client.push_blob({"reg.example", "app"}, desc, open);
  REQUIRE(up);
  CHECK(*up == RegistryClient::Uploaded::uploaded);
  const auto& put = t.requests.back();
  CHECK(put.method == "PUT");
  CHECK(put.url ==
        "https://storage.example/up/1?sig=abc&digest=" + util::url_encode(desc.digest.str()));
  CHECK(put.body == blob);
  CHECK_FALSE(has_auth(put));
}

TEST_CASE("a mount answered 201 uploads nothing; a failed mount falls back to upload",
          "[oci][registry][client]") {
  auto desc = descriptor_for(std::string(media_type::k_oci_layer), "abc");
  bool mount_ok = true;
  FakeTransport t([&](const test::RecordedRequest& r) -> util::HttpResult {
    if (util::ends_with(r.url, "/v2/"))
      return response(200);
    if (r.method == "HEAD")
      return response(404);
    if (r.method == "POST" && r.url.find("mount=") != std::string::npos)
      return mount_ok ? response(201) : response(404);
    if (r.method == "POST")
      return response(202, {{"Location", "/v2/app/blobs/uploads/u?_state=s"}});
    return response(201);
  });
  StaticCredentialStore creds;
  RegistryClient client(t, creds, fast_options());
  auto open = []() -> Result<util::BodySource> {
    auto done = std::make_shared<bool>(false);
    return util::BodySource([done](char* b, size_t) -> Result<size_t> {
      if (*done)
        return size_t(0);
      *done = true;
      std::copy_n("abc", 3, b);
      return size_t(3);
    });
  };
  auto m = client.push_blob({"reg.example", "app"}, desc, open, {"base"});
  REQUIRE(m);
  CHECK(*m == RegistryClient::Uploaded::mounted);
  CHECK(t.requests.back().url.find("from=base") != std::string::npos);
  mount_ok = false;
  auto u = client.push_blob({"reg.example", "app"}, desc, open, {"base"});
  REQUIRE(u);
  CHECK(*u == RegistryClient::Uploaded::uploaded);
  CHECK(t.requests.back().url == "https://reg.example/v2/app/blobs/uploads/u?_state=s&digest=" +
                                     util::url_encode(desc.digest.str()));
  CHECK(t.requests.back().body == "abc");
}

TEST_CASE("a manifest whose bytes do not match the digest is refused", "[oci][registry][client]") {
  const std::string body =
      R"({"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[]})";
  FakeTransport t([&](const test::RecordedRequest& r) -> util::HttpResult {
    if (util::ends_with(r.url, "/v2/"))
      return response(200);
    return response(200,
                    {{"Content-Type", std::string(media_type::k_oci_index)},
                     {"Docker-Content-Digest", Digest::of("other").str()}},
                    body);
  });
  StaticCredentialStore creds;
  RegistryClient client(t, creds, fast_options());
  auto bad = client.get_manifest({"reg.example", "app"}, "latest");
  REQUIRE_FALSE(bad);
  CHECK(bad.error().message.find("refusing") != std::string::npos);
  auto good = client.get_manifest({"reg.example", "app"}, Digest::of(body).str());
  REQUIRE(good);
  CHECK(good->bytes == body);
  CHECK(good->media_type == media_type::k_oci_index);
  CHECK(t.requests.back().headers.get("Accept") == manifest_accept_header());
}

TEST_CASE("a blob of unknown size streams in one PATCH and is closed by digest",
          "[oci][registry][client]") {
  const std::string content = "streamed layer bytes";
  FakeTransport t([&](const test::RecordedRequest& r) -> util::HttpResult {
    if (util::ends_with(r.url, "/v2/"))
      return response(200);
    if (r.method == "POST")
      return response(202, {{"Location", "/v2/app/blobs/uploads/u?_state=1"}});
    if (r.method == "PATCH")
      return response(202, {{"Location", "/v2/app/blobs/uploads/u?_state=2"}});
    return response(201);
  });
  StaticCredentialStore creds;
  RegistryClient client(t, creds, fast_options());
  size_t off = 0;
  auto d =
      client.push_blob_stream({"reg.example", "app"}, std::string(media_type::k_oci_layer_gzip),
                              [&](char* buf, size_t n) -> Result<size_t> {
                                size_t k = std::min<size_t>({n, 7, content.size() - off});
                                std::copy_n(content.data() + off, k, buf);
                                off += k;
                                return k;
                              });
  REQUIRE(d);
  CHECK(d->digest == Digest::of(content));
  CHECK(d->size == int64_t(content.size()));
  REQUIRE(t.requests.size() == 4);
  CHECK(t.requests[2].method == "PATCH");
  CHECK(t.requests[2].url == "https://reg.example/v2/app/blobs/uploads/u?_state=1");
  CHECK(t.requests[2].body == content);
  CHECK(t.requests[3].url == "https://reg.example/v2/app/blobs/uploads/u?_state=2&digest=" +
                                 util::url_encode(Digest::of(content).str()));
  CHECK(t.requests[3].body.empty());
}
