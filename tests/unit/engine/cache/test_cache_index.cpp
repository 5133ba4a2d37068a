#include <catch2/catch.hpp>

#include <sys/wait.h>
#include <unistd.h>

#include "engine/cache/cache_index.hpp"
#include "util/fs.hpp"

using namespace xbuild;
using namespace xbuild::engine::cache;

TEST_CASE("cache records survive reopening the index", "[cache]") {
  util::TempDir dir;
  auto db = dir.path() / "state" / "cache.db";
  {
    auto idx = CacheIndex::open(db);
    REQUIRE(idx);
    REQUIRE((*idx)->store("sha256:k1", {"snap-1"}));
  }
  auto idx = CacheIndex::open(db);
  REQUIRE(idx);
  auto hit = (*idx)->lookup("sha256:k1");
  REQUIRE(hit);
  REQUIRE(hit->has_value());
  CHECK((*hit)->id == "snap-1");
  CHECK_FALSE((*idx)->lookup("sha256:other").value().has_value());
  CHECK((*idx)->ref_in_use("snap-1").value());
  REQUIRE((*idx)->remove("sha256:k1"));
  CHECK_FALSE((*idx)->ref_in_use("snap-1").value());
}

TEST_CASE("two processes writing the index at once lose nothing", "[cache]") {
  util::TempDir dir;
  auto db = dir.path() / "cache.db";
  REQUIRE(CacheIndex::open(db));
  std::vector<pid_t> children;
  for (int p = 0; p < 2; ++p) {
    pid_t pid = ::fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
      auto idx = CacheIndex::open(db);
      int bad = idx ? 0 : 1;
      for (int i = 0; i < 150 && !bad; ++i) {
        std::string key = "sha256:p" + std::to_string(p) + "-" + std::to_string(i);
        bad = !(*idx)->store(key, {"ref"});
      }
      ::_exit(bad);
    }
    children.push_back(pid);
  }
  for (pid_t c : children) {
    int status = 0;
    ::waitpid(c, &status, 0);
    CHECK(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == 0);
  }
  auto idx = CacheIndex::open(db);
  REQUIRE(idx);
  CHECK((*idx)->records().value().size() == 300);
}

TEST_CASE("prune picks least recently used records down to the kept size", "[cache][prune]") {
  util::TempDir dir;
  auto idx = CacheIndex::open(dir.path() / "cache.db").value();
  const int64_t now = std::time(nullptr);
  REQUIRE(idx->store_record({"sha256:old", "r-old", now - 90000, now - 90000, 100, "old"}));
  REQUIRE(idx->store_record({"sha256:mid", "r-mid", now - 7200, now - 7200, 100, "mid"}));
  REQUIRE(idx->store_record({"sha256:new", "r-new", now, now, 100, "new"}));

  auto keep = idx->select_prunable({std::nullopt, 150});
  REQUIRE(keep);
  REQUIRE(keep->size() == 2);
  CHECK((*keep)[0].key == "sha256:old");
  CHECK((*keep)[1].key == "sha256:mid");

  auto until = idx->select_prunable({std::chrono::hours(24), std::nullopt});
  REQUIRE(until);
  REQUIRE(until->size() == 1);
  CHECK((*until)[0].key == "sha256:old");

  CHECK(idx->select_prunable({}).value().size() == 3);
}

TEST_CASE("prune never selects refs a live build leased", "[cache][prune]") {
  util::TempDir dir;
  auto db = dir.path() / "cache.db";
  auto idx = CacheIndex::open(db).value();
  REQUIRE(idx->store("sha256:a", {"ref-a"}));
  REQUIRE(idx->store("sha256:b", {"ref-b"}));
  // This process's own leases (its store() calls) never hold back its prune.
  CHECK(idx->select_prunable({}).value().size() == 2);
  CHECK(idx->other_users().value().empty());

  int go[2], ready[2];
  REQUIRE(::pipe(go) == 0);
  REQUIRE(::pipe(ready) == 0);
  pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    auto child = CacheIndex::open(db);
    bool ok = child && (*child)->lookup("sha256:a").value_or(std::nullopt).has_value();
    char c = ok ? 'y' : 'n';
    (void)!::write(ready[1], &c, 1);
    (void)!::read(go[0], &c, 1);
    ::_exit(0); // no destructor runs: like kill -9 mid-build
  }
  char c = 0;
  REQUIRE(::read(ready[0], &c, 1) == 1);
  REQUIRE(c == 'y');
  auto sel = idx->select_prunable({});
  REQUIRE(sel);
  REQUIRE(sel->size() == 1);
  CHECK((*sel)[0].ref == "ref-b");
  CHECK(idx->other_users().value() == std::vector<int64_t>{pid});
  CHECK(idx->leased_by_others().value().count("ref-a") == 1);

  // A lease held by a process that was killed does not count.
  (void)!::write(go[1], &c, 1);
  int status = 0;
  ::waitpid(pid, &status, 0);
  CHECK(idx->select_prunable({}).value().size() == 2);
  CHECK(idx->other_users().value().empty());
  REQUIRE(idx->forget_dead_leases());
}
