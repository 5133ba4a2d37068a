// The two differs on hand-made trees: overlay upper dirs with real whiteout
// devices and opaque xattrs, and old/new trees for the tree comparison.

#include <catch2/catch.hpp>

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "engine/snapshot/diff.hpp"
#include "util/fs.hpp"

using namespace xbuild;
using namespace xbuild::engine::snapshot;
namespace fs = std::filesystem;

namespace {

void write(const fs::path& p, const std::string& text) {
  fs::create_directories(p.parent_path());
  REQUIRE(util::write_file_atomic(p, text));
}

void whiteout(const fs::path& p) {
  fs::create_directories(p.parent_path());
  REQUIRE(::mknod(p.c_str(), S_IFCHR | 0, makedev(0, 0)) == 0);
}

void set_mtime(const fs::path& p, time_t sec, long nsec) {
  timespec t[2] = {{sec, nsec}, {sec, nsec}};
  REQUIRE(::utimensat(AT_FDCWD, p.c_str(), t, AT_SYMLINK_NOFOLLOW) == 0);
}

std::string diff_text(const Result<std::vector<Change>>& r) {
  if (!r)
    FAIL(r.error().message);
  return dump(*r);
}

} // namespace

TEST_CASE("overlay whiteouts become deletions and opaque dirs are flagged",
          "[engine][snapshot][diff]") {
  if (::geteuid() != 0) {
    WARN("skipped: creating whiteout devices and trusted xattrs needs root");
    return;
  }
  util::TempDir t("xbuild-diff");
  auto lower = t.path() / "lower", upper = t.path() / "upper";
  write(lower / "etc/passwd", "root\n");
  write(lower / "var/lib/a", "a\n");
  write(lower / "var/lib/b", "b\n");
  write(lower / "opt/old", "o\n");
  // upper: etc/passwd rewritten, etc/shadow new, var/lib/a deleted,
  // opt recreated empty with a new file (opaque)
  write(upper / "etc/passwd", "root\nuser\n");
  write(upper / "etc/shadow", "s\n");
  fs::create_directories(upper / "var/lib");
  whiteout(upper / "var/lib/a");
  write(upper / "opt/new", "n\n");
  REQUIRE(::lsetxattr((upper / "opt").c_str(), "trusted.overlay.opaque", "y", 1, 0) == 0);
  auto d = overlay_diff(upper, {lower});
  CHECK(diff_text(d) == "M etc\nM etc/passwd\nA etc/shadow\nM+opq opt\nA opt/new\nM var\n"
                        "M var/lib\nD var/lib/a\n");
}

TEST_CASE("lower-layer whiteouts and opaque dirs decide added versus modified",
          "[engine][snapshot][diff]") {
  if (::geteuid() != 0) {
    WARN("skipped: creating whiteout devices needs root");
    return;
  }
  util::TempDir t("xbuild-diff");
  auto bottom = t.path() / "l1", mid = t.path() / "l2", upper = t.path() / "up";
  write(bottom / "x/f", "1\n");
  write(bottom / "y/g", "1\n");
  whiteout(mid / "x/f"); // deleted in the middle layer
  fs::create_directories(mid / "y");
  REQUIRE(::lsetxattr((mid / "y").c_str(), "trusted.overlay.opaque", "y", 1, 0) == 0);
  write(upper / "x/f", "2\n");
  write(upper / "y/g", "2\n");
  auto d = overlay_diff(upper, {mid, bottom});
  CHECK(diff_text(d) == "M x\nA x/f\nM y\nA y/g\n");
}

TEST_CASE("a redirected directory is refused with an explanation", "[engine][snapshot][diff]") {
  if (::geteuid() != 0) {
    WARN("skipped: trusted xattrs need root");
    return;
  }
  util::TempDir t("xbuild-diff");
  fs::create_directories(t.path() / "up/moved");
  REQUIRE(::lsetxattr((t.path() / "up/moved").c_str(), "trusted.overlay.redirect", "/orig", 5, 0) ==
          0);
  auto d = overlay_diff(t.path() / "up", {t.path()});
  REQUIRE_FALSE(d);
  CHECK(d.error().message.find("redirect_dir") != std::string::npos);
}

TEST_CASE("tree comparison finds a same-size rewrite within a truncated second",
          "[engine][snapshot][diff]") {
  util::TempDir t("xbuild-diff");
  auto a = t.path() / "a", b = t.path() / "b";
  write(a / "f", "one\n");
  write(b / "f", "two\n");
  write(a / "same", "s\n");
  write(b / "same", "s\n");
  for (const auto& root : {a, b}) {
    set_mtime(root / "f", 1000, 0);
    set_mtime(root / "same", 1000, 0);
    set_mtime(root, 5, 0);
  }
  CHECK(diff_text(tree_diff(a, b)) == "M f\n");
  // With sub-second times the metadata is trusted and contents are not read.
  set_mtime(a / "f", 1000, 123);
  set_mtime(b / "f", 1000, 123);
  CHECK(diff_text(tree_diff(a, b)).empty());
}

TEST_CASE("tree comparison reports type changes and new subtrees in path order",
          "[engine][snapshot][diff]") {
  util::TempDir t("xbuild-diff");
  auto a = t.path() / "a", b = t.path() / "b";
  write(a / "node", "file\n");
  write(b / "node/inner", "now a dir\n");
  write(b / "a-b", "x\n");
  write(b / "a/b", "y\n");
  fs::create_directories(a);
  fs::create_symlink("target1", a / "link");
  fs::create_symlink("target2", b / "link");
  for (const auto& root : {a, b})
    set_mtime(root, 5, 0);
  set_mtime(b / "link", 7, 7);
  set_mtime(a / "link", 7, 7);
  CHECK(diff_text(tree_diff(a, b)) == "A a\nA a/b\nA a-b\nM link\nM+opq node\nA node/inner\n");
}
