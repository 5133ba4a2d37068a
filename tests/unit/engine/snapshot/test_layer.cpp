// Round trip: changes made in one snapshot, written as a layer tar and
// applied on the same parent in another snapshot, give the same tree.

#include <catch2/catch.hpp>

#include <fstream>
#include <unistd.h>

#include "engine/snapshot/layer.hpp"
#include "util/fs.hpp"

using namespace xbuild;
using namespace xbuild::engine::snapshot;
namespace fs = std::filesystem;

namespace {
void write(const fs::path& p, const std::string& text) {
  fs::create_directories(p.parent_path());
  REQUIRE(util::write_file_atomic(p, text));
}
std::string read(const fs::path& p) { return util::read_file(p).value_or("<missing>"); }

// Every path below `root` with its type and content, for comparing trees.
std::string listing(const fs::path& root) {
  std::vector<std::string> lines;
  for (auto it = fs::recursive_directory_iterator(root); it != fs::end(it); ++it) {
    auto rel = it->path().lexically_relative(root).string();
    auto st = it->symlink_status();
    std::string line = rel;
    if (fs::is_directory(st))
      line += "/";
    else if (fs::is_regular_file(st)) {
      auto text = read(it->path());
      line += "=" + text.substr(0, text.find('\n'));
    }
    lines.push_back(line);
  }
  std::sort(lines.begin(), lines.end());
  std::string out;
  for (const auto& l : lines)
    out += l + "\n";
  return out;
}
} // namespace

TEST_CASE("a diff written as a layer and applied elsewhere reproduces the tree",
          "[engine][snapshot][layer]") {
  for (auto choice : {BackendChoice::overlay, BackendChoice::copy}) {
    if (choice == BackendChoice::overlay && ::geteuid() != 0)
      continue;
    util::TempDir state("xbuild-snap");
    auto opened = Snapshotter::open(state.path(), choice);
    REQUIRE(opened);
    Snapshotter& s = **opened;
    INFO("backend " << (s.backend() == Backend::overlay ? "overlay" : "copy"));
    {
      auto base = s.prepare("");
      REQUIRE(base);
      write(base->root() / "keep", "k\n");
      write(base->root() / "gone", "g\n");
      write(base->root() / "dir/old1", "1\n");
      write(base->root() / "dir/old2", "2\n");
      write(base->root() / "edit", "before\n");
      REQUIRE(s.commit(std::move(*base), "base"));
    }
    auto a = s.prepare("base");
    REQUIRE(a);
    fs::remove(a->root() / "gone");
    fs::remove_all(a->root() / "dir");
    write(a->root() / "dir/new", "n\n");
    write(a->root() / "edit", "after\n");
    write(a->root() / "added/deep/file", "d\n");
    util::TempDir out("xbuild-layer");
    auto tar = out.path() / "layer.tar";
    std::ofstream f(tar, std::ios::binary);
    oci::LayerWriteOptions opts;
    opts.compression = oci::Compression::gzip;
    auto info = write_diff_layer(
        s, *a,
        [&](const void* d, size_t n) -> Result<void> {
          f.write(static_cast<const char*>(d), static_cast<std::streamsize>(n));
          return {};
        },
        opts);
    f.close();
    if (!info)
      FAIL(info.error().message);
    CHECK(info->size > 0);
    auto b = s.prepare("base");
    REQUIRE(b);
    auto applied = apply_layer(*b, tar);
    if (!applied)
      FAIL(applied.error().message);
    CHECK(applied->whiteouts >= 1);
    CHECK(listing(b->root()) == listing(a->root()));
    CHECK(listing(b->root()) == "added/\nadded/deep/\nadded/deep/file=d\n"
                                "dir/\ndir/new=n\nedit=after\nkeep=k\n");
  }
}
