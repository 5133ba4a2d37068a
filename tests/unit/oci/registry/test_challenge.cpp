#include <catch2/catch.hpp>

#include "oci/registry/challenge.hpp"

using namespace xbuild::oci::registry;

TEST_CASE("a bearer challenge yields realm, service and a space-separated scope",
          "[oci][registry][challenge]") {
  auto c = parse_www_authenticate({"Bearer realm=\"https://auth.docker.io/token\","
                                   "service=\"registry.docker.io\","
                                   "scope=\"repository:a/b:pull,push repository:c:pull\","
                                   "error=\"insufficient_scope\""});
  REQUIRE(c.size() == 1);
  CHECK(c[0].scheme == "bearer");
  CHECK(c[0].param("realm") == "https://auth.docker.io/token");
  CHECK(c[0].param("service") == "registry.docker.io");
  CHECK(c[0].param("scope") == "repository:a/b:pull,push repository:c:pull");
  CHECK(c[0].param("error") == "insufficient_scope");
}

TEST_CASE("several challenges in one header and across headers are all parsed",
          "[oci][registry][challenge]") {
  auto c = parse_www_authenticate(
      {"Basic realm=\"reg\", Bearer realm=\"http://t/x\",service=s", "Negotiate abc=="});
  REQUIRE(c.size() == 3);
  CHECK(c[0].scheme == "basic");
  CHECK(c[0].param("realm") == "reg");
  CHECK(c[1].scheme == "bearer");
  CHECK(c[1].param("service") == "s");
  CHECK(c[2].scheme == "negotiate");
}

TEST_CASE("quoted values keep commas and escaped quotes", "[oci][registry][challenge]") {
  auto c = parse_www_authenticate({R"(Bearer realm="a,b",service="say \"hi\"")"});
  REQUIRE(c.size() == 1);
  CHECK(c[0].param("realm") == "a,b");
  CHECK(c[0].param("service") == "say \"hi\"");
  CHECK(parse_www_authenticate({""}).empty());
  CHECK(parse_www_authenticate({"=,,\"junk"}).empty());
}

TEST_CASE("a scope name may contain host:port", "[oci][registry][scope]") {
  Scope s;
  REQUIRE(Scope::parse("repository:localhost:5000/app:push,pull", s));
  CHECK(s.type == "repository");
  CHECK(s.name == "localhost:5000/app");
  CHECK(s.actions == std::vector<std::string>{"pull", "push"});
  CHECK_FALSE(Scope::parse("nonsense", s));
}

TEST_CASE("merging scopes unites actions per resource and keeps first-seen order",
          "[oci][registry][scope]") {
  auto m = merge_scopes({"repository:dst:push", "repository:src:pull",
                         "repository:dst:pull repository:other:pull", "registry:catalog:*"});
  CHECK(m == std::vector<std::string>{"repository:dst:pull,push", "repository:src:pull",
                                      "repository:other:pull", "registry:catalog:*"});
  CHECK(scopes_cover({"repository:dst:pull,push"}, {"repository:dst:pull"}));
  CHECK_FALSE(scopes_cover({"repository:dst:pull"}, {"repository:dst:pull,push"}));
  CHECK_FALSE(scopes_cover({"repository:dst:pull,push"}, {"repository:src:pull"}));
}
