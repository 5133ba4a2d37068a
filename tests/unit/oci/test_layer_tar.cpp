#include <catch2/catch.hpp>

#include <archive.h>
#include <archive_entry.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <cstring>
#include <fstream>

#include "oci/layer_tar.hpp"
#include "util/fs.hpp"

using namespace xbuild::oci;
using xbuild::Result;
using xbuild::util::TempDir;

namespace {

void write(const fs::path& p, const std::string& content) {
  fs::create_directories(p.parent_path());
  std::ofstream(p, std::ios::binary) << content;
}

std::string slurp(const fs::path& p) { return *xbuild::util::read_file(p); }

// A tree with every kind of entry the writer handles.
void make_tree(const fs::path& root) {
  write(root / "etc/hostname", "box\n");
  write(root / "bin/busybox", std::string(70000, 'B'));
  fs::create_symlink("busybox", root / "bin/sh");
  fs::create_hard_link(root / "bin/busybox", root / "bin/ls");
  fs::create_directories(root / "empty");
  fs::create_directories(root / "a-b");
  write(root / "a/z", "z");
  std::string long_dir(120, 'd');
  write(root / long_dir / "file-with-a-long-path.txt", "long");
  fs::permissions(root / "etc/hostname", fs::perms::owner_read | fs::perms::group_read);
}

struct Blob {
  std::string bytes;
  LayerInfo info;
};

Blob make_layer(const fs::path& dir, LayerWriteOptions options) {
  Blob b;
  WriteFn sink = [&](const void* data, size_t size) -> Result<void> {
    b.bytes.append(static_cast<const char*>(data), size);
    return {};
  };
  auto info = write_layer(dir, sink, options);
  REQUIRE(info);
  b.info = *info;
  return b;
}

ReadFn from_string(const std::string& bytes) {
  auto pos = std::make_shared<size_t>(0);
  return [&bytes, pos](void* buf, size_t size) -> Result<size_t> {
    size_t n = std::min(size, bytes.size() - *pos);
    std::memcpy(buf, bytes.data() + *pos, n);
    *pos += n;
    return n;
  };
}

// Entry names of a tar (any compression), in order.
std::vector<std::string> entry_names(const std::string& bytes) {
  std::vector<std::string> names;
  struct archive* a = archive_read_new();
  archive_read_support_format_tar(a);
  archive_read_support_filter_all(a);
  REQUIRE(archive_read_open_memory(a, bytes.data(), bytes.size()) == ARCHIVE_OK);
  archive_entry* e = nullptr;
  while (archive_read_next_header(a, &e) == ARCHIVE_OK)
    names.push_back(archive_entry_pathname(e));
  archive_read_free(a);
  return names;
}

// Hostile tars are built here with libarchive, one entry spec at a time.
struct Spec {
  std::string name;
  char type; // 'f' file, 'd' dir, 'l' symlink, 'h' hard link
  std::string data_or_target;
};

std::string make_tar(const std::vector<Spec>& specs) {
  std::string out;
  struct archive* a = archive_write_new();
  archive_write_set_format_pax_restricted(a);
  archive_write_open2(
      a, &out, nullptr,
      [](struct archive*, void* ctx, const void* buf, size_t n) -> la_ssize_t {
        static_cast<std::string*>(ctx)->append(static_cast<const char*>(buf), n);
        return static_cast<la_ssize_t>(n);
      },
      nullptr, nullptr);
  for (auto& s : specs) {
    archive_entry* e = archive_entry_new();
    archive_entry_set_pathname(e, s.name.c_str());
    archive_entry_set_perm(e, 0644);
    if (s.type == 'f') {
      archive_entry_set_filetype(e, AE_IFREG);
      archive_entry_set_size(e, static_cast<la_int64_t>(s.data_or_target.size()));
    } else if (s.type == 'd') {
      archive_entry_set_filetype(e, AE_IFDIR);
      archive_entry_set_perm(e, 0755);
    } else if (s.type == 'l') {
      archive_entry_set_filetype(e, AE_IFLNK);
      archive_entry_set_symlink(e, s.data_or_target.c_str());
    } else {
      archive_entry_set_filetype(e, AE_IFREG);
      archive_entry_set_hardlink(e, s.data_or_target.c_str());
      archive_entry_set_size(e, 0);
    }
    archive_write_header(a, e);
    if (s.type == 'f')
      archive_write_data(a, s.data_or_target.data(), s.data_or_target.size());
    archive_entry_free(e);
  }
  archive_write_close(a);
  archive_write_free(a);
  return out;
}

size_t count_entries(const fs::path& dir) {
  size_t n = 0;
  for ([[maybe_unused]] auto& e : fs::recursive_directory_iterator(dir))
    ++n;
  return n;
}

} // namespace

TEST_CASE("a layer of the same tree is byte-identical every time", "[oci][layer_tar]") {
  TempDir tmp("xbuild-layer");
  make_tree(tmp.path() / "tree");
  LayerWriteOptions opts;
  Blob first = make_layer(tmp.path() / "tree", opts);
  Blob second = make_layer(tmp.path() / "tree", opts);
  CHECK(first.bytes == second.bytes);
  CHECK(first.info.digest == Digest::of(first.bytes));
  CHECK(first.info.size == static_cast<int64_t>(first.bytes.size()));
  CHECK(first.info.digest != first.info.diff_id);

  SECTION("a fixed mtime hides timestamp changes") {
    opts.fixed_mtime = 1700000000;
    Blob before = make_layer(tmp.path() / "tree", opts);
    fs::last_write_time(tmp.path() / "tree/etc/hostname",
                        fs::last_write_time(tmp.path() / "tree/etc/hostname") -
                            std::chrono::hours(48));
    Blob after = make_layer(tmp.path() / "tree", opts);
    CHECK(before.bytes == after.bytes);
    LayerWriteOptions real_times;
    CHECK(make_layer(tmp.path() / "tree", real_times).info.diff_id != first.info.diff_id);
  }
}

TEST_CASE("layer entries come in walk order: a directory, then its sorted children",
          "[oci][layer_tar]") {
  TempDir tmp("xbuild-layer");
  make_tree(tmp.path() / "tree");
  LayerWriteOptions opts;
  opts.compression = Compression::none;
  Blob b = make_layer(tmp.path() / "tree", opts);
  auto names = entry_names(b.bytes);
  std::string long_dir(120, 'd');
  std::vector<std::string> expected = {
      "a/",     "a/z",          "a-b/",
      "bin/",   "bin/busybox",  "bin/ls",
      "bin/sh", long_dir + "/", long_dir + "/file-with-a-long-path.txt",
      "empty/", "etc/",         "etc/hostname"};
  CHECK(names == expected);
  // Uncompressed: the blob digest is the diff id.
  CHECK(b.info.digest == b.info.diff_id);
  CHECK(b.info.uncompressed_size == static_cast<int64_t>(b.bytes.size()));
}

TEST_CASE("gzip and zstd layers are compressed and describe both digests", "[oci][layer_tar]") {
  TempDir tmp("xbuild-layer");
  make_tree(tmp.path() / "tree");
  LayerWriteOptions none_opts;
  none_opts.compression = Compression::none;
  Blob plain = make_layer(tmp.path() / "tree", none_opts);
  for (auto c : {Compression::gzip, Compression::zstd}) {
    INFO(compression_name(c));
    LayerWriteOptions opts;
    opts.compression = c;
    Blob b = make_layer(tmp.path() / "tree", opts);
    CHECK(b.info.diff_id == plain.info.diff_id);
    CHECK(b.info.digest == Digest::of(b.bytes));
    CHECK(b.bytes.size() < plain.bytes.size());
    if (c == Compression::gzip)
      CHECK(b.bytes.substr(0, 2) == "\x1f\x8b");
    else
      CHECK(b.bytes.substr(0, 4) == "\x28\xb5\x2f\xfd");
    CHECK(entry_names(b.bytes) == entry_names(plain.bytes));
  }
}

TEST_CASE("a written layer extracts back to the same tree", "[oci][layer_tar]") {
  TempDir tmp("xbuild-layer");
  fs::path src = tmp.path() / "tree";
  make_tree(src);
  bool have_xattr = ::lsetxattr((src / "etc/hostname").c_str(), "user.xbuild", "v1", 2, 0) == 0;
  for (auto c : {Compression::gzip, Compression::zstd, Compression::none}) {
    INFO(compression_name(c));
    LayerWriteOptions opts;
    opts.compression = c;
    Blob b = make_layer(src, opts);
    fs::path out = tmp.path() / ("out-" + std::string(compression_name(c)));
    auto stats = extract_layer(from_string(b.bytes), out, {}, "test layer");
    REQUIRE(stats);
    CHECK(stats->entries == 12);
    CHECK(slurp(out / "etc/hostname") == "box\n");
    CHECK(slurp(out / "bin/busybox") == std::string(70000, 'B'));
    CHECK(fs::read_symlink(out / "bin/sh") == "busybox");
    CHECK(fs::equivalent(out / "bin/ls", out / "bin/busybox"));
    CHECK(fs::is_directory(out / "empty"));
    CHECK(slurp(out / std::string(120, 'd') / "file-with-a-long-path.txt") == "long");
    CHECK((fs::status(out / "etc/hostname").permissions() & fs::perms::all) ==
          (fs::perms::owner_read | fs::perms::group_read));
    struct stat a {
    }, e{};
    ::stat((src / "bin/busybox").c_str(), &a);
    ::stat((out / "bin/busybox").c_str(), &e);
    CHECK(a.st_mtim.tv_sec == e.st_mtim.tv_sec);
    if (have_xattr) {
      char value[8] = {};
      CHECK(::lgetxattr((out / "etc/hostname").c_str(), "user.xbuild", value, sizeof value) == 2);
      CHECK(std::string(value) == "v1");
    }
  }
}

TEST_CASE("whiteouts in a layer delete lower files and opaque dirs hide lower content",
          "[oci][layer_tar]") {
  TempDir tmp("xbuild-layer");
  fs::path rootfs = tmp.path() / "rootfs";
  write(rootfs / "etc/old.conf", "old");
  write(rootfs / "etc/keep.conf", "keep");
  write(rootfs / "var/cache/a", "a");
  write(rootfs / "var/cache/sub/b", "b");
  fs::path upper = tmp.path() / "upper";
  write(upper / "var/cache/new", "new");
  LayerWriteOptions opts;
  opts.whiteouts = {"etc/old.conf"};
  opts.opaque_dirs = {"var/cache"};
  Blob b = make_layer(upper, opts);
  auto names = entry_names(b.bytes);
  CHECK(std::find(names.begin(), names.end(), "etc/.wh.old.conf") != names.end());
  CHECK(std::find(names.begin(), names.end(), "var/cache/.wh..wh..opq") != names.end());

  auto stats = extract_layer(from_string(b.bytes), rootfs, {}, "upper layer");
  REQUIRE(stats);
  CHECK(stats->whiteouts == 2);
  CHECK_FALSE(fs::exists(rootfs / "etc/old.conf"));
  CHECK(fs::exists(rootfs / "etc/keep.conf"));
  CHECK_FALSE(fs::exists(rootfs / "etc/.wh.old.conf"));
  CHECK_FALSE(fs::exists(rootfs / "var/cache/a"));
  CHECK_FALSE(fs::exists(rootfs / "var/cache/sub"));
  CHECK(slurp(rootfs / "var/cache/new") == "new");

  ExtractOptions strict;
  strict.apply_whiteouts = false;
  auto refused = extract_layer(from_string(b.bytes), tmp.path() / "strict", strict, "upper");
  REQUIRE_FALSE(refused);
  CHECK_THAT(refused.error().message, Catch::Contains("whiteout"));
}

TEST_CASE("hostile archives are refused and nothing is written outside the target",
          "[oci][layer_tar]") {
  TempDir tmp("xbuild-hostile");
  fs::path target = tmp.path() / "root";
  fs::path outside = tmp.path() / "outside";
  write(outside / "secret", "secret");
  struct Case {
    std::string label;
    std::vector<Spec> specs;
    std::string message_part;
  };
  std::vector<Case> cases = {
      {"dot-dot", {{"../outside/pwned", 'f', "x"}}, "contains \"..\""},
      {"nested dot-dot", {{"a/b/../../../outside/pwned", 'f', "x"}}, "contains \"..\""},
      {"absolute path", {{outside.string() + "/pwned", 'f', "x"}}, "absolute path"},
      {"symlink then file through it (relative)",
       {{"link", 'l', "../outside"}, {"link/pwned", 'f', "x"}},
       "leads outside the target"},
      {"symlink then file through it (absolute)",
       {{"link", 'l', outside.string()}, {"link/pwned", 'f', "x"}},
       "does not exist inside the target"},
      {"symlink chain escaping",
       {{"d", 'd', ""}, {"d/up", 'l', ".."}, {"d/up2", 'l', "up/.."}, {"d/up2/pwned", 'f', "x"}},
       "leads outside the target"},
      {"hard link outside (relative)", {{"hl", 'h', "../outside/secret"}}, "contains \"..\""},
      {"hard link outside (absolute)",
       {{"hl", 'h', (outside / "secret").string()}},
       "hard link to an absolute path"},
      {"hard link through a symlink",
       {{"link", 'l', "../outside"}, {"hl", 'h', "link/secret"}},
       "leads outside the target"},
  };
  for (auto& c : cases) {
    INFO(c.label);
    fs::remove_all(target);
    std::string tar = make_tar(c.specs);
    auto r = extract_layer(from_string(tar), target, {}, "hostile layer");
    REQUIRE_FALSE(r);
    CHECK_THAT(r.error().message, Catch::Contains("refusing to extract hostile layer"));
    CHECK_THAT(r.error().message, Catch::Contains(c.message_part));
    // Nothing new outside: only the secret, unchanged.
    CHECK(count_entries(outside) == 1);
    CHECK(slurp(outside / "secret") == "secret");
    CHECK(count_entries(tmp.path()) == count_entries(target) + 2 + 1);
  }
}

TEST_CASE("a file entry replaces a symlink instead of writing through it", "[oci][layer_tar]") {
  TempDir tmp("xbuild-hostile");
  fs::path target = tmp.path() / "root";
  write(tmp.path() / "outside/secret", "secret");
  std::string tar = make_tar({{"secret", 'l', "../outside/secret"}, {"secret", 'f', "mine"}});
  auto r = extract_layer(from_string(tar), target, {}, "layer");
  REQUIRE(r);
  CHECK(slurp(tmp.path() / "outside/secret") == "secret");
  CHECK_FALSE(fs::is_symlink(target / "secret"));
  CHECK(slurp(target / "secret") == "mine");
}

TEST_CASE("symlinks that stay inside the target are followed like a chroot", "[oci][layer_tar]") {
  TempDir tmp("xbuild-layer");
  fs::path target = tmp.path() / "root";
  std::string tar = make_tar({{"usr/lib/", 'd', ""},
                              {"lib", 'l', "usr/lib"},
                              {"lib/libc.so", 'f', "libc"},
                              {"abs", 'l', "/usr/lib"},
                              {"abs/libm.so", 'f', "libm"},
                              {"lib/hard", 'h', "lib/libc.so"}});
  auto r = extract_layer(from_string(tar), target, {}, "layer");
  REQUIRE(r);
  CHECK(slurp(target / "usr/lib/libc.so") == "libc");
  CHECK(slurp(target / "usr/lib/libm.so") == "libm");
  CHECK(fs::equivalent(target / "usr/lib/hard", target / "usr/lib/libc.so"));
}

TEST_CASE("garbage instead of a tar is a clear error", "[oci][layer_tar]") {
  TempDir tmp("xbuild-layer");
  std::string junk(4096, 'j');
  auto r = extract_layer(from_string(junk), tmp.path() / "root", {}, "layer sha256:abc");
  REQUIRE_FALSE(r);
  CHECK_THAT(r.error().message, Catch::Contains("layer sha256:abc"));
  CHECK_THAT(r.error().message, Catch::Contains("not a valid"));
}

TEST_CASE("directory metadata is not applied through a symlink that replaced the directory",
          "[oci][layer_tar]") {
  TempDir tmp("xbuild-hostile");
  fs::path target = tmp.path() / "root";
  fs::path outside = tmp.path() / "outside";
  fs::create_directories(outside);
  fs::permissions(outside, fs::perms::owner_all, fs::perm_options::replace);
  auto before = fs::last_write_time(outside);
  // "d/" (mode 0755, mtime 0) is created, then replaced by a symlink out of
  // the target; the deferred chmod/utime of "d" must not follow it.
  std::string tar = make_tar({{"d/", 'd', ""}, {"d", 'l', "../outside"}});
  auto r = extract_layer(from_string(tar), target, {}, "layer");
  REQUIRE(r);
  CHECK(fs::is_symlink(target / "d"));
  CHECK((fs::status(outside).permissions() & fs::perms::all) == fs::perms::owner_all);
  CHECK(fs::last_write_time(outside) == before);
}
