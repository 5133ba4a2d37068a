#include <catch2/catch.hpp>

#include "util/http.hpp"

using namespace xbuild::util;

TEST_CASE("header lookup ignores case and set replaces every field", "[util][http]") {
  HttpHeaders h;
  h.add("WWW-Authenticate", "Basic realm=\"a\"");
  h.add("www-authenticate", "Bearer realm=\"b\"");
  CHECK(h.get("Www-Authenticate") == "Basic realm=\"a\"");
  CHECK(h.get_all("WWW-AUTHENTICATE").size() == 2);
  h.set("WWW-Authenticate", "x");
  CHECK(h.get_all("www-authenticate") == std::vector<std::string>{"x"});
  CHECK_FALSE(h.get("Location").has_value());
}

TEST_CASE("parse_url splits scheme, host, port and keeps the query", "[util][http]") {
  auto p = parse_url("https://Reg.Example.com:5000/v2/a/blobs/uploads/x?_state=abc");
  REQUIRE(p);
  CHECK(p->scheme == "https");
  CHECK(p->host == "reg.example.com");
  CHECK(p->port == "5000");
  CHECK(p->path_and_query == "/v2/a/blobs/uploads/x?_state=abc");
  CHECK(p->authority() == "reg.example.com:5000");
  CHECK(parse_url("https://h:443/")->authority() == "h");
  CHECK_FALSE(parse_url("ftp://h/"));
  CHECK_FALSE(parse_url("no-scheme/path"));
}

TEST_CASE("resolve_url resolves Location headers against the request URL", "[util][http]") {
  const std::string base = "http://127.0.0.1:5000/v2/repo/blobs/uploads/";
  CHECK(resolve_url(base, "/v2/repo/blobs/uploads/u1?_state=s").value() ==
        "http://127.0.0.1:5000/v2/repo/blobs/uploads/u1?_state=s");
  CHECK(resolve_url(base, "https://other:1/up?x=1").value() == "https://other:1/up?x=1");
  CHECK(resolve_url(base, "u2").value() == "http://127.0.0.1:5000/v2/repo/blobs/uploads/u2");
  CHECK(resolve_url(base, "//cdn.example/x").value() == "http://cdn.example/x");
}

TEST_CASE("same_origin compares scheme, host and effective port", "[util][http]") {
  CHECK(same_origin("https://r.io/v2/", "https://r.io:443/upload"));
  CHECK_FALSE(same_origin("https://r.io/v2/", "http://r.io/v2/"));
  CHECK_FALSE(same_origin("https://r.io/v2/", "https://s3.amazonaws.com/x"));
  CHECK_FALSE(same_origin("http://r.io:5000/", "http://r.io:5001/"));
}

TEST_CASE("append_query keeps existing parameters and encodes the value", "[util][http]") {
  CHECK(append_query("http://h/u?_state=a%2Bb", "digest", "sha256:ab") ==
        "http://h/u?_state=a%2Bb&digest=sha256%3Aab");
  CHECK(append_query("http://h/u", "scope", "repository:a/b:pull,push") ==
        "http://h/u?scope=repository%3Aa%2Fb%3Apull%2Cpush");
}

TEST_CASE("base64 round-trips and matches known answers", "[util][http]") {
  CHECK(base64_encode("") == "");
  CHECK(base64_encode("f") == "Zg==");
  CHECK(base64_encode("fo") == "Zm8=");
  CHECK(base64_encode("foo") == "Zm9v");
  CHECK(base64_encode("user:pa ss") == "dXNlcjpwYSBzcw==");
  CHECK(base64_decode("dXNlcjpwYSBzcw==").value() == "user:pa ss");
  CHECK(base64_decode("e30=").value() == "{}");
  CHECK_FALSE(base64_decode("a*b"));
}
