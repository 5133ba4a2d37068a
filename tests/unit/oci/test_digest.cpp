#include <catch2/catch.hpp>

#include <cstring>

#include "oci/digest.hpp"

using namespace xbuild::oci;
using xbuild::Result;

TEST_CASE("digests of known inputs match the published sha256 values", "[oci][digest]") {
  CHECK(Digest::of("").str() ==
        "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  CHECK(Digest::of("{}").str() ==
        "sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a");
  Digester d;
  d.update("a");
  d.update("bc");
  CHECK(d.size() == 3);
  CHECK(d.digest().str() ==
        "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST_CASE("a well-formed sha256 digest parses and prints back unchanged", "[oci][digest]") {
  std::string text = "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
  auto d = Digest::parse(text);
  REQUIRE(d);
  CHECK(d->algorithm == "sha256");
  CHECK(d->str() == text);
  CHECK(d->short_hex() == "ba7816bf8f01");
  CHECK(*d == Digest::of("abc"));
}

TEST_CASE("malformed digests are refused with a message naming the problem", "[oci][digest]") {
  struct Case {
    const char* text;
    const char* message_part;
  };
  Case cases[] = {
      {"", "expected \"sha256:"},
      {"ba7816bf8f01", "expected \"sha256:"},
      {"sha256:", "expected \"sha256:"},
      {"sha512:abcd", "unsupported digest algorithm \"sha512\""},
      {"sha256:BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD", "lower-case"},
      {"sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015a", "63 characters"},
      {"sha256:za7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", "64 lower-case"},
  };
  for (auto& c : cases) {
    INFO(c.text);
    auto d = Digest::parse(c.text, "layers[0]");
    REQUIRE_FALSE(d);
    CHECK_THAT(d.error().message, Catch::Contains(c.message_part));
    if (std::strlen(c.text) > 0)
      CHECK_THAT(d.error().message, Catch::Contains("in layers[0]"));
  }
}

namespace {
// A source that hands out `data` in pieces of at most `chunk` bytes.
ReadFn chunked_source(std::string data, size_t chunk) {
  auto pos = std::make_shared<size_t>(0);
  return [data = std::move(data), chunk, pos](void* buf, size_t size) -> Result<size_t> {
    size_t n = std::min({chunk, size, data.size() - *pos});
    std::memcpy(buf, data.data() + *pos, n);
    *pos += n;
    return n;
  };
}

Result<std::string> drain(VerifyingReader& r) {
  std::string out;
  char buf[3];
  for (;;) {
    auto n = r.read(buf, sizeof buf);
    if (!n)
      return tl::unexpected(n.error());
    if (*n == 0)
      return out;
    out.append(buf, *n);
  }
}
} // namespace

TEST_CASE("a verifying reader passes matching content through to a clean end", "[oci][digest]") {
  std::string content = "hello, content-addressed world";
  VerifyingReader r(chunked_source(content, 7), Digest::of(content),
                    static_cast<int64_t>(content.size()), "blob");
  auto out = drain(r);
  REQUIRE(out);
  CHECK(*out == content);
}

TEST_CASE("a verifying reader fails at the end when the content does not match", "[oci][digest]") {
  std::string content = "hello";
  SECTION("different bytes of the same size") {
    VerifyingReader r(chunked_source("jello", 2), Digest::of(content), 5, "layer x");
    auto out = drain(r);
    REQUIRE_FALSE(out);
    CHECK_THAT(out.error().message, Catch::Contains("layer x: digest mismatch"));
    CHECK_THAT(out.error().message, Catch::Contains(Digest::of(content).str()));
  }
  SECTION("truncated content") {
    VerifyingReader r(chunked_source("hell", 2), Digest::of(content), 5, "layer x");
    auto out = drain(r);
    REQUIRE_FALSE(out);
    CHECK_THAT(out.error().message, Catch::Contains("got 4 bytes, expected 5"));
  }
  SECTION("too much content fails before the end") {
    VerifyingReader r(chunked_source("hello world", 4), Digest::of(content), 5, "layer x");
    auto out = drain(r);
    REQUIRE_FALSE(out);
    CHECK_THAT(out.error().message, Catch::Contains("more than the expected 5 bytes"));
  }
}
