// ContextDigests: a remembered file digest is used only while the file's
// stat signature is unchanged, and survives into the next build (process).

#include <catch2/catch.hpp>
#include <chrono>
#include <fcntl.h>
#include <sys/stat.h>
#include <thread>

#include "engine/build/context_digests.hpp"
#include "util/fs.hpp"

using namespace xbuild;
using namespace xbuild::engine;
using namespace xbuild::engine::build;

namespace {

// A clock a minute ahead: every file looks old enough to be remembered.
time_t later(time_t* out) {
  time_t t = std::time(nullptr) + 60;
  if (out)
    *out = t;
  return t;
}

struct stat lstat_of(const std::filesystem::path& p) {
  struct stat st {};
  REQUIRE(::lstat(p.c_str(), &st) == 0);
  return st;
}

// Lets the filesystem's coarse clock move on, so a rewrite changes ctime.
void tick() { std::this_thread::sleep_for(std::chrono::milliseconds(20)); }

} // namespace

TEST_CASE("context digests: remembered across instances, invalidated by any rewrite",
          "[engine][context_digests]") {
  util::TempDir dir{"xbuild-ctx-digests"};
  auto index = cache::CacheIndex::open(dir.path() / "cache.db");
  REQUIRE(index);
  auto ctx = dir.path() / "ctx";
  auto file = ctx / "a.txt";
  std::filesystem::create_directories(ctx);
  REQUIRE(util::write_file_atomic(file, "first"));
  std::string first = *sha256_of_file(file);
  {
    ContextDigests digests(index->get(), &later);
    REQUIRE(digests.load(ctx));
    auto d = digests.file_digest(file, lstat_of(file));
    REQUIRE(d);
    CHECK(*d == first);
    REQUIRE(digests.flush());
  }
  auto rows = (*index)->file_digests_under(ctx.string());
  REQUIRE(rows);
  REQUIRE(rows->size() == 1);
  CHECK(rows->front().digest == first);

  SECTION("an unchanged file is not read again") {
    ContextDigests digests(index->get(), &later);
    REQUIRE(digests.load(ctx));
    // Same signature but other bytes in the table: the table's answer wins,
    // which proves the file was not read.
    auto st = lstat_of(file);
    REQUIRE((*index)->store_file_digests({{file.string(), rows->front().signature, "feed"}}));
    ContextDigests fresh(index->get(), &later);
    REQUIRE(fresh.load(ctx));
    CHECK(*fresh.file_digest(file, st) == "feed");
  }
  SECTION("same size, mtime put back: ctime still tells") {
    auto before = lstat_of(file);
    tick();
    REQUIRE(util::write_file_atomic(file, "FIRST"));
    struct timespec times[2] = {before.st_atim, before.st_mtim};
    REQUIRE(::utimensat(AT_FDCWD, file.c_str(), times, AT_SYMLINK_NOFOLLOW) == 0);
    ContextDigests digests(index->get(), &later);
    REQUIRE(digests.load(ctx));
    CHECK(*digests.file_digest(file, lstat_of(file)) == *sha256_of_file(file));
    CHECK(*digests.file_digest(file, lstat_of(file)) != first);
  }
}

TEST_CASE("context digests: files changed just now are hashed but not remembered",
          "[engine][context_digests]") {
  util::TempDir dir{"xbuild-ctx-recent"};
  auto index = cache::CacheIndex::open(dir.path() / "cache.db");
  REQUIRE(index);
  auto file = dir.path() / "ctx" / "b.txt";
  std::filesystem::create_directories(file.parent_path());
  REQUIRE(util::write_file_atomic(file, "new"));
  ContextDigests digests(index->get()); // the real clock: the file is seconds old
  REQUIRE(digests.load(file.parent_path()));
  CHECK(*digests.file_digest(file, lstat_of(file)) == *sha256_of_file(file));
  REQUIRE(digests.flush());
  CHECK((*index)->file_digests_under(file.parent_path().string())->empty());
}
