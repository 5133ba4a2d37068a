#include <catch2/catch.hpp>

#include <filesystem>

#include "engine/exec/user.hpp"
#include "util/fs.hpp"

using namespace xbuild;
using namespace xbuild::engine::exec;

namespace {
const char* k_passwd = "root:x:0:0:root:/root:/bin/sh\n"
                       "# a comment\n"
                       "app:x:1001:1002:App:/srv/app:/bin/sh\n"
                       "broken line\n"
                       "nohome:x:1003:1003::\n";
const char* k_group = "root:x:0:\n"
                      "appgrp:x:1002:\n"
                      "wheel:x:10:app,root\n"
                      "docker:x:999:app\n"
                      "staff:x:50:\n";
} // namespace

TEST_CASE("a user name gives its passwd ids, home, primary group and member groups",
          "[engine][exec][user]") {
  auto u = resolve_user("app", k_passwd, k_group);
  REQUIRE(u);
  CHECK(u->uid == 1001);
  CHECK(u->gid == 1002);
  CHECK(u->home == "/srv/app");
  // The primary group first, as BuildKit's executors set AdditionalGids.
  CHECK(u->groups == std::vector<unsigned>{1002, 10, 999});
}

TEST_CASE("a primary group that also lists the user appears once", "[engine][exec][user]") {
  auto u = resolve_user("app", k_passwd, "appgrp:x:1002:app\nwheel:x:10:app\n");
  REQUIRE(u);
  CHECK(u->groups == std::vector<unsigned>{1002, 10});
}

TEST_CASE("an empty USER is root even without a passwd file", "[engine][exec][user]") {
  auto u = resolve_user("", "", "");
  REQUIRE(u);
  CHECK(u->uid == 0);
  CHECK(u->gid == 0);
  CHECK(u->groups == std::vector<unsigned>{0});
}

TEST_CASE("a numeric uid known to passwd takes its primary group", "[engine][exec][user]") {
  auto u = resolve_user("1001", k_passwd, k_group);
  REQUIRE(u);
  CHECK(u->gid == 1002);
  CHECK(u->home == "/srv/app");
}

TEST_CASE("an unknown numeric uid runs with gid 0 and home /", "[engine][exec][user]") {
  auto u = resolve_user("4000", k_passwd, k_group);
  REQUIRE(u);
  CHECK(u->uid == 4000);
  CHECK(u->gid == 0);
  CHECK(u->groups == std::vector<unsigned>{0});
  CHECK(u->home == "/");
}

TEST_CASE("user:group picks the group by name or number and drops member groups",
          "[engine][exec][user]") {
  auto by_name = resolve_user("app:staff", k_passwd, k_group);
  REQUIRE(by_name);
  CHECK(by_name->gid == 50);
  CHECK(by_name->groups == std::vector<unsigned>{50});
  auto by_number = resolve_user("app:777", k_passwd, k_group);
  REQUIRE(by_number);
  CHECK(by_number->gid == 777);
  CHECK(by_number->groups == std::vector<unsigned>{777});
}

TEST_CASE("unknown names are errors that say which file lacked them", "[engine][exec][user]") {
  auto u = resolve_user("ghost", k_passwd, k_group);
  REQUIRE_FALSE(u);
  CHECK(u.error().message == "unable to find user ghost: no matching entries in passwd file");
  auto g = resolve_user("app:ghosts", k_passwd, k_group);
  REQUIRE_FALSE(g);
  CHECK(g.error().message == "unable to find group ghosts: no matching entries in group file");
}

TEST_CASE("an empty home field falls back to /", "[engine][exec][user]") {
  auto u = resolve_user("nohome", k_passwd, k_group);
  REQUIRE(u);
  CHECK(u->home == "/");
}

TEST_CASE("files in the rootfs are read without following symlinks out of it",
          "[engine][exec][user]") {
  namespace fs = std::filesystem;
  util::TempDir host("xbuild-host");
  util::TempDir root("xbuild-root");
  REQUIRE(util::write_file_atomic(host.path() / "passwd", "evil:x:0:0::/:/bin/sh\n"));
  fs::create_directories(root.path() / "etc");
  // An absolute link resolves inside the root: to <root>/<host path>, missing.
  fs::create_symlink(host.path() / "passwd", root.path() / "etc/passwd");
  auto r = read_file_in_root(root.path(), "etc/passwd");
  REQUIRE(r);
  CHECK_FALSE(r->found);
  // A relative link climbing above the root stops at the root.
  fs::remove(root.path() / "etc/passwd");
  fs::create_symlink("../../../../../../../../.." + host.path().string() + "/passwd",
                     root.path() / "etc/passwd");
  r = read_file_in_root(root.path(), "etc/passwd");
  REQUIRE(r);
  CHECK_FALSE(r->found);
  // A link inside the root is followed.
  REQUIRE(util::write_file_atomic(root.path() / "etc/passwd.real", "app:x:5:5::/:/bin/sh\n"));
  fs::remove(root.path() / "etc/passwd");
  fs::create_symlink("passwd.real", root.path() / "etc/passwd");
  auto u = resolve_user_in_rootfs("app", root.path());
  REQUIRE(u);
  CHECK(u->uid == 5);
}
