#include <catch2/catch.hpp>

#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <thread>

#include "oci/content_store.hpp"
#include "util/fs.hpp"

using namespace xbuild::oci;
using xbuild::util::TempDir;

namespace {

std::string pattern(size_t size, char seed) {
  std::string s(size, '\0');
  for (size_t i = 0; i < size; ++i)
    s[i] = static_cast<char>(seed + (i * 7) % 251);
  return s;
}

size_t count_files(const fs::path& dir) {
  size_t n = 0;
  for ([[maybe_unused]] auto& e : fs::directory_iterator(dir))
    ++n;
  return n;
}

} // namespace

TEST_CASE("a stored blob is found by its digest and reads back verified", "[oci][content_store]") {
  TempDir tmp("xbuild-store");
  auto store = ContentStore::open(tmp.path() / "store");
  REQUIRE(store);
  std::string content = pattern(100000, 'a');
  Digest expected = Digest::of(content);
  CHECK_FALSE(store->exists(expected));
  auto d = store->put(content, expected);
  REQUIRE(d);
  CHECK(*d == expected);
  CHECK(store->exists(expected));
  CHECK(store->size(expected) == 100000);
  CHECK(fs::exists(tmp.path() / "store/blobs/sha256" / expected.encoded));
  auto back = store->get(expected);
  REQUIRE(back);
  CHECK(*back == content);
  CHECK(store->list() == std::vector<Digest>{expected});
  CHECK(count_files(tmp.path() / "store/ingest") == 0);
}

TEST_CASE("a writer with an unknown digest computes it while streaming", "[oci][content_store]") {
  TempDir tmp("xbuild-store");
  auto store = ContentStore::open(tmp.path());
  REQUIRE(store);
  auto w = store->writer();
  REQUIRE(w);
  std::string content = pattern(300000, 'x');
  for (size_t off = 0; off < content.size(); off += 4096)
    REQUIRE((*w)->write(std::string_view(content).substr(off, 4096)));
  CHECK((*w)->written() == 300000);
  auto d = (*w)->commit();
  REQUIRE(d);
  CHECK(*d == Digest::of(content));
  CHECK(store->exists(*d));
}

TEST_CASE("ingest rejects content that does not match its digest or size and keeps nothing",
          "[oci][content_store]") {
  TempDir tmp("xbuild-store");
  auto store = ContentStore::open(tmp.path());
  REQUIRE(store);
  Digest claimed = Digest::of("the real content");
  SECTION("wrong bytes") {
    auto r = store->put("other content!!!", claimed);
    REQUIRE_FALSE(r);
    CHECK_THAT(r.error().message, Catch::Contains("digest mismatch"));
    CHECK_THAT(r.error().message, Catch::Contains(claimed.str()));
  }
  SECTION("too many bytes") {
    auto w = store->writer(claimed, 4);
    REQUIRE(w);
    auto r = (*w)->write("12345");
    REQUIRE_FALSE(r);
    CHECK_THAT(r.error().message, Catch::Contains("larger than the expected 4 bytes"));
  }
  SECTION("too few bytes") {
    auto w = store->writer(claimed, 16);
    REQUIRE(w);
    REQUIRE((*w)->write("the real"));
    auto r = (*w)->commit();
    REQUIRE_FALSE(r);
    CHECK_THAT(r.error().message, Catch::Contains("truncated"));
  }
  SECTION("writer dropped without commit") {
    auto w = store->writer(claimed, 16);
    REQUIRE(w);
    REQUIRE((*w)->write("the real"));
    CHECK(count_files(tmp.path() / "ingest") == 1);
  }
  CHECK_FALSE(store->exists(claimed));
  CHECK(store->list().empty());
  CHECK(count_files(tmp.path() / "ingest") == 0);
}

TEST_CASE("a blob corrupted on disk is reported when read", "[oci][content_store]") {
  TempDir tmp("xbuild-store");
  auto store = ContentStore::open(tmp.path());
  REQUIRE(store);
  auto d = store->put("{\"a\":1}");
  REQUIRE(d);
  fs::path p = store->blob_path(*d);
  fs::permissions(p, fs::perms::owner_write, fs::perm_options::add);
  std::ofstream(p, std::ios::trunc) << "{\"a\":2}";
  auto r = store->get(*d);
  REQUIRE_FALSE(r);
  CHECK_THAT(r.error().message, Catch::Contains("is corrupt"));
  auto missing = store->get(Digest::of("never stored"));
  REQUIRE_FALSE(missing);
  CHECK_THAT(missing.error().message, Catch::Contains("is not in the content store"));
}

TEST_CASE("usage counts committed blobs and unfinished ingests", "[oci][content_store]") {
  TempDir tmp("xbuild-store");
  auto store = ContentStore::open(tmp.path());
  REQUIRE(store);
  REQUIRE(store->put(pattern(1000, 'a')));
  REQUIRE(store->put(pattern(2500, 'b')));
  REQUIRE(store->put(pattern(1000, 'a'))); // same blob again: no double count
  auto pending = store->writer();
  REQUIRE(pending);
  REQUIRE((*pending)->write(pattern(300, 'c')));
  StoreUsage u = store->usage();
  CHECK(u.blob_count == 2);
  CHECK(u.blob_bytes == 3500);
  CHECK(u.ingest_count == 1);
  CHECK(u.ingest_bytes == 300);
  CHECK(store->remove_stale_ingests(std::chrono::seconds(3600)) == 0);
  CHECK(store->remove_stale_ingests(std::chrono::seconds(-1)) == 1);
  REQUIRE(store->remove(Digest::of(pattern(1000, 'a'))));
  CHECK(store->usage().blob_count == 1);
}

TEST_CASE("two processes writing the same and different blobs at once leave a consistent store",
          "[oci][content_store]") {
  TempDir tmp("xbuild-store");
  REQUIRE(ContentStore::open(tmp.path()));
  const std::string shared = pattern(2 << 20, 's');
  // Each child writes the shared blob in small pieces (so the writes
  // interleave) plus one blob of its own, then exits 0 on success.
  auto child = [&](char seed) {
    auto store = ContentStore::open(tmp.path());
    if (!store)
      _exit(10);
    for (int round = 0; round < 3; ++round) {
      auto w = store->writer(Digest::of(shared), static_cast<int64_t>(shared.size()));
      if (!w)
        _exit(11);
      for (size_t off = 0; off < shared.size(); off += 8192) {
        if (!(*w)->write(std::string_view(shared).substr(off, 8192)))
          _exit(12);
      }
      if (!(*w)->commit())
        _exit(13);
    }
    if (!store->put(pattern(50000, seed)))
      _exit(14);
    _exit(0);
  };
  pid_t a = fork();
  if (a == 0)
    child('A');
  pid_t b = fork();
  if (b == 0)
    child('B');
  int status_a = 0, status_b = 0;
  waitpid(a, &status_a, 0);
  waitpid(b, &status_b, 0);
  REQUIRE(WIFEXITED(status_a));
  REQUIRE(WIFEXITED(status_b));
  CHECK(WEXITSTATUS(status_a) == 0);
  CHECK(WEXITSTATUS(status_b) == 0);

  auto store = ContentStore::open(tmp.path());
  REQUIRE(store);
  CHECK(store->list().size() == 3);
  auto got = store->get(Digest::of(shared));
  REQUIRE(got);
  CHECK(*got == shared);
  CHECK(store->exists(Digest::of(pattern(50000, 'A'))));
  CHECK(store->exists(Digest::of(pattern(50000, 'B'))));
  CHECK(store->usage().ingest_count == 0);
}
