// libFuzzer target for layer extraction: the input is a tar (any
// compression libarchive detects) extracted into a fresh directory. Beyond
// "no crash", it checks the property that matters: nothing is created or
// changed outside the target directory (a sentinel tree next to it stays
// exactly as it was).

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

#include "oci/layer_tar.hpp"

namespace fs = std::filesystem;
using namespace xbuild;
using namespace xbuild::oci;

namespace {

struct Sandbox {
  fs::path base;
  fs::perms outside_perms{};
  fs::file_time_type outside_mtime{};
  Sandbox() {
    char tmpl[] = "/tmp/xbuild-extract-fuzz-XXXXXX";
    if (!::mkdtemp(tmpl))
      std::abort();
    base = tmpl;
    fs::create_directories(base / "outside");
    std::ofstream(base / "outside" / "secret") << "secret";
    fs::permissions(base / "outside", fs::perms::owner_all, fs::perm_options::replace);
    outside_perms = fs::status(base / "outside").permissions();
    outside_mtime = fs::last_write_time(base / "outside");
  }
  ~Sandbox() {
    std::error_code ec;
    fs::remove_all(base, ec);
  }
};

Sandbox& sandbox() {
  static Sandbox s;
  return s;
}

size_t count(const fs::path& dir) {
  size_t n = 0;
  std::error_code ec;
  for (auto it = fs::directory_iterator(dir, ec); !ec && it != fs::directory_iterator(); ++it)
    ++n;
  return n;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  Sandbox& s = sandbox();
  fs::path target = s.base / "root";
  std::error_code ec;
  fs::remove_all(target, ec);
  size_t pos = 0;
  ReadFn read = [&](void* buf, size_t n) -> Result<size_t> {
    size_t k = std::min(n, size - pos);
    std::memcpy(buf, data + pos, k);
    pos += k;
    return k;
  };
  ExtractOptions options;
  options.same_owner = false;
  (void)extract_layer(read, target, options, "fuzz layer");

  // The property: the sandbox holds only "outside" (unchanged, including
  // its mode and mtime) and "root".
  if (count(s.base) > 2 || count(s.base / "outside") != 1)
    std::abort();
  if (fs::status(s.base / "outside").permissions() != s.outside_perms ||
      fs::last_write_time(s.base / "outside") != s.outside_mtime)
    std::abort();
  std::ifstream in(s.base / "outside" / "secret");
  std::string content((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (content != "secret")
    std::abort();
  return 0;
}
