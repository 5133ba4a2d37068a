#include <catch2/catch.hpp>

#include "util/sha256.hpp"
#include "util/strings.hpp"

using namespace xbuild::util;

TEST_CASE("split keeps empty fields between separators", "[util][strings]") {
  CHECK(split("a,,b", ',') == std::vector<std::string>{"a", "", "b"});
  CHECK(split("", ',') == std::vector<std::string>{""});
}

TEST_CASE("closest_match suggests a near command and nothing for a far one", "[util][strings]") {
  std::vector<std::string> cmds = {"bake", "build", "create", "imagetools"};
  CHECK(closest_match("biuld", cmds) == "build");
  CHECK(closest_match("imagetool", cmds) == "imagetools");
  CHECK(closest_match("zzzzzzzz", cmds).empty());
}

TEST_CASE("sha256 of known inputs matches the published digests", "[util][sha256]") {
  CHECK(sha256_hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  CHECK(sha256_hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  Sha256 h;
  h.update("a");
  h.update("bc");
  CHECK(h.hex_digest() == sha256_hex("abc"));
}

TEST_CASE("clean_path follows Go's path.Clean", "[util][strings]") {
  CHECK(clean_path("") == ".");
  CHECK(clean_path("./a/../b/") == "b");
  CHECK(clean_path("/../x//y/.") == "/x/y");
  CHECK(clean_path("../a/..") == "..");
  CHECK(clean_path("a/b/../../..") == "..");
}

TEST_CASE("human_size prints go-units sizes in decimal and binary units", "[util][strings]") {
  using xbuild::util::human_size;
  using xbuild::util::SizeUnits;
  CHECK(human_size(999, SizeUnits::decimal) == "999B");
  CHECK(human_size(1234, SizeUnits::decimal) == "1.234kB");
  CHECK(human_size(1024, SizeUnits::binary) == "1KiB");
  CHECK(human_size(128.0 * 1024 * 1024, SizeUnits::binary) == "128MiB");
  CHECK(human_size(1536, SizeUnits::binary) == "1.5KiB");
}
