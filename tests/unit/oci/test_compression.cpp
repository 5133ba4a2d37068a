#include <catch2/catch.hpp>

#include <zlib.h>
#include <zstd.h>

#include "oci/compression.hpp"

using namespace xbuild::oci;
using xbuild::Result;

namespace {

std::string compress(Compression c, const std::string& input, size_t piece) {
  std::string out;
  WriteFn sink = [&](const void* d, size_t n) -> Result<void> {
    out.append(static_cast<const char*>(d), n);
    return {};
  };
  auto comp = make_compressor(c, sink);
  REQUIRE(comp);
  for (size_t off = 0; off < input.size(); off += piece)
    REQUIRE((*comp)->write(input.data() + off, std::min(piece, input.size() - off)));
  REQUIRE((*comp)->finish());
  return out;
}

std::string sample() {
  std::string s;
  for (int i = 0; i < 200000; ++i)
    s += static_cast<char>('a' + (i * 31 + i / 7) % 26);
  return s;
}

} // namespace

TEST_CASE("gzip output decompresses with zlib to the input", "[oci][compression]") {
  std::string input = sample();
  std::string gz = compress(Compression::gzip, input, 1000);
  CHECK(sniff_compression(gz.data(), gz.size()) == Compression::gzip);
  z_stream z{};
  REQUIRE(inflateInit2(&z, 15 + 16) == Z_OK);
  std::string out(input.size() + 16, '\0');
  z.next_in = reinterpret_cast<Bytef*>(gz.data());
  z.avail_in = static_cast<uInt>(gz.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  CHECK(inflate(&z, Z_FINISH) == Z_STREAM_END);
  out.resize(z.total_out);
  inflateEnd(&z);
  CHECK(out == input);
  // Deterministic: no timestamp in the header.
  CHECK(compress(Compression::gzip, input, 777) == gz);
}

TEST_CASE("zstd output decompresses with libzstd to the input", "[oci][compression]") {
  std::string input = sample();
  std::string zs = compress(Compression::zstd, input, 4096);
  CHECK(sniff_compression(zs.data(), zs.size()) == Compression::zstd);
  std::string out(input.size(), '\0');
  size_t n = ZSTD_decompress(out.data(), out.size(), zs.data(), zs.size());
  REQUIRE_FALSE(ZSTD_isError(n));
  CHECK(n == input.size());
  CHECK(out == input);
}

TEST_CASE("no compression passes bytes through and sniffs as none", "[oci][compression]") {
  std::string input = "plain tar bytes";
  std::string out = compress(Compression::none, input, 3);
  CHECK(out == input);
  CHECK(sniff_compression(out.data(), out.size()) == Compression::none);
}

TEST_CASE("a failing sink stops compression with its error", "[oci][compression]") {
  WriteFn sink = [](const void*, size_t) -> Result<void> {
    return xbuild::fail("disk full while writing layer");
  };
  auto comp = make_compressor(Compression::gzip, sink);
  REQUIRE(comp);
  std::string input = sample();
  auto r = (*comp)->write(input.data(), input.size());
  if (r)
    r = (*comp)->finish();
  REQUIRE_FALSE(r);
  CHECK_THAT(r.error().message, Catch::Contains("disk full"));
}
