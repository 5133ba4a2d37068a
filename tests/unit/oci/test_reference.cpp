#include <catch2/catch.hpp>

#include "oci/reference.hpp"

using namespace xbuild::oci;

namespace {
const std::string k_digest =
    "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
}

TEST_CASE("a reference without a registry resolves to docker.io/library", "[oci][reference]") {
  auto r = Reference::parse("busybox");
  REQUIRE(r);
  CHECK(r->registry == "docker.io");
  CHECK(r->repository == "library/busybox");
  CHECK(r->tag == "latest");
  CHECK(r->digest.empty());
  CHECK(r->str() == "docker.io/library/busybox:latest");
  CHECK(r->familiar() == "busybox:latest");
  CHECK(r->api_host() == "registry-1.docker.io");
  CHECK(r->credential_key() == "https://index.docker.io/v1/");
}

TEST_CASE("references normalise like the docker CLI", "[oci][reference]") {
  struct Case {
    std::string input, registry, repository, tag, digest, full;
  };
  std::vector<Case> cases = {
      {"busybox:1.36", "docker.io", "library/busybox", "1.36", "",
       "docker.io/library/busybox:1.36"},
      {"me/app", "docker.io", "me/app", "latest", "", "docker.io/me/app:latest"},
      {"docker.io/busybox", "docker.io", "library/busybox", "latest", "",
       "docker.io/library/busybox:latest"},
      {"index.docker.io/library/busybox:x", "docker.io", "library/busybox", "x", "",
       "docker.io/library/busybox:x"},
      {"registry-1.docker.io/me/app:v2", "docker.io", "me/app", "v2", "", "docker.io/me/app:v2"},
      {"localhost/app", "localhost", "app", "latest", "", "localhost/app:latest"},
      {"localhost:5000/a/b/c:1.0", "localhost:5000", "a/b/c", "1.0", "",
       "localhost:5000/a/b/c:1.0"},
      {"127.0.0.1:5000/app", "127.0.0.1:5000", "app", "latest", "", "127.0.0.1:5000/app:latest"},
      {"[::1]:5000/app:t", "[::1]:5000", "app", "t", "", "[::1]:5000/app:t"},
      {"ghcr.io/org/repo-name_x.y__z:TAG_1", "ghcr.io", "org/repo-name_x.y__z", "TAG_1", "",
       "ghcr.io/org/repo-name_x.y__z:TAG_1"},
      {"busybox@" + k_digest, "docker.io", "library/busybox", "", k_digest,
       "docker.io/library/busybox@" + k_digest},
      {"reg.example.com:443/app:1@" + k_digest, "reg.example.com:443", "app", "1", k_digest,
       "reg.example.com:443/app:1@" + k_digest},
      {"Upper.example.com/app", "Upper.example.com", "app", "latest", "",
       "Upper.example.com/app:latest"},
  };
  for (auto& c : cases) {
    INFO(c.input);
    auto r = Reference::parse(c.input);
    REQUIRE(r);
    CHECK(r->registry == c.registry);
    CHECK(r->repository == c.repository);
    CHECK(r->tag == c.tag);
    CHECK(r->digest.str() == c.digest);
    CHECK(r->str() == c.full);
    // The printed form parses back to the same reference.
    auto again = Reference::parse(r->str());
    REQUIRE(again);
    CHECK(*again == *r);
  }
}

TEST_CASE("the API host and credential key differ only for Docker Hub", "[oci][reference]") {
  auto hub = Reference::parse("index.docker.io/me/app");
  auto local = Reference::parse("localhost:5000/me/app");
  REQUIRE(hub);
  REQUIRE(local);
  CHECK(hub->api_host() == "registry-1.docker.io");
  CHECK(local->api_host() == "localhost:5000");
  CHECK(local->credential_key() == "localhost:5000");
  CHECK(local->familiar() == "localhost:5000/me/app:latest");
  CHECK(hub->familiar() == "me/app:latest");
  CHECK(hub->tag_or_digest() == "latest");
  CHECK(hub->with_digest(*Digest::parse(k_digest)).tag_or_digest() == k_digest);
}

TEST_CASE("invalid references are refused with a message saying what is wrong",
          "[oci][reference]") {
  struct Case {
    std::string input, message_part;
  };
  std::vector<Case> cases = {
      {"", "it is empty"},
      {"Busybox", "must be lowercase"},
      {"docker.io/Me/app", "must be lowercase"},
      {"busybox:", "tag \"\" is not valid"},
      {"busybox:-bad", "tag \"-bad\" is not valid"},
      {"busybox:" + std::string(129, 'a'), "is not valid"},
      {"busybox@sha256:abc", "64 lower-case hex"},
      {"busybox@md5:abc", "unsupported digest algorithm"},
      {"my_/app", "path component \"my_\""},
      {"a..b/c", "registry \"a..b\" is not a valid host"},
      {"localhost:5000/", "repository name is missing"},
      {"app//x", "path component \"\""},
      {std::string(64, 'a'), "image ID"},
  };
  for (auto& c : cases) {
    INFO(c.input);
    auto r = Reference::parse(c.input);
    REQUIRE_FALSE(r);
    CHECK_THAT(r.error().message, Catch::Contains("invalid image reference"));
    CHECK_THAT(r.error().message, Catch::Contains(c.message_part));
  }
}
