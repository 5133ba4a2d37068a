#include <catch2/catch.hpp>

#include <csignal>
#include <map>
#include <sys/wait.h>
#include <unistd.h>

#include "engine/build/state.hpp"
#include "engine/cache/gc.hpp"
#include "util/fs.hpp"
#include "util/sha256.hpp"

using namespace xbuild;
using namespace xbuild::engine;
using namespace xbuild::engine::cache;

namespace {

// A state with hand-made layers: a snapshot holding one file of `bytes`
// bytes, its layer record and a blob, like the engine commits them.
struct StateFixture {
  util::TempDir dir;
  std::unique_ptr<build::EngineState> state =
      build::EngineState::open(dir.path() / "state").value();

  std::string add_layer(const std::string& parent, const std::string& what, size_t bytes,
                        bool from_image) {
    auto active = state->snapshots().prepare(parent).value();
    REQUIRE(util::write_file_atomic(active.root() / what, std::string(bytes, 'x')));
    auto blob = state->content().put("blob of " + what).value();
    std::string ref = "sha256:" + util::sha256_hex(parent + "/" + what);
    REQUIRE(state->snapshots().commit(std::move(active), ref));
    oci::Descriptor d;
    d.media_type = "application/vnd.oci.image.layer.v1.tar+gzip";
    d.digest = blob;
    d.size = static_cast<int64_t>(("blob of " + what).size());
    REQUIRE(state->put_layer({ref, parent, d, blob, 0, from_image}));
    return ref;
  }

  void record(const std::string& key, const std::string& ref, int64_t age_seconds) {
    const int64_t t = std::time(nullptr) - age_seconds;
    REQUIRE(state->cache().store_record({key, ref, t, t, 0, ""}));
  }

  bool has_blob_of(const std::string& what) {
    return state->content().exists(
        oci::Digest::parse("sha256:" + util::sha256_hex("blob of " + what), "test").value());
  }
};

} // namespace

TEST_CASE("prune removes unused build layers but keeps base-image layers without --all",
          "[cache][gc]") {
  StateFixture f;
  auto base = f.add_layer("", "base", 10000, true);
  auto run = f.add_layer(base, "run", 20000, false);
  f.record("sha256:k-base", base, 100);
  f.record("sha256:k-run", run, 100);
  auto loose = f.state->content().put("a manifest").value();

  auto usage = disk_usage(*f.state).value();
  REQUIRE(usage.items.size() == 3);
  CHECK(usage.total >= 30000);

  GcOptions o;
  auto report = prune(*f.state, o).value();
  CHECK(report.records_removed == 1);
  CHECK_FALSE(f.state->snapshots().exists(run));
  CHECK_FALSE(f.state->layer(run).value().has_value());
  CHECK_FALSE(f.has_blob_of("run"));
  CHECK(report.reclaimed >= 20000);
  CHECK(f.state->snapshots().exists(base));
  CHECK(f.has_blob_of("base"));
  CHECK(f.state->content().exists(loose));

  SECTION("--all also removes base-image layers and loose blobs") {
    o.all = PruneAll::yes;
    auto all = prune(*f.state, o).value();
    CHECK_FALSE(f.state->snapshots().exists(base));
    CHECK_FALSE(f.has_blob_of("base"));
    CHECK_FALSE(f.state->content().exists(loose));
    CHECK(f.state->cache().records().value().empty());
    CHECK(f.state->snapshots().names().empty());
    CHECK(f.state->layer_refs().empty());
  }
}

TEST_CASE("prune keeps the parent chain of a record that stays", "[cache][gc]") {
  StateFixture f;
  auto a = f.add_layer("", "a", 1000, false);
  auto b = f.add_layer(a, "b", 1000, false);
  auto c = f.add_layer(b, "c", 1000, false);
  f.record("sha256:k-a", a, 7200);
  f.record("sha256:k-b", b, 7200);
  f.record("sha256:k-c", c, 60); // recently used: survives until=1h

  GcOptions o;
  o.filter = parse_filters({"until=1h"}).value();
  auto report = prune(*f.state, o).value();
  CHECK(report.records_removed == 2);
  // a and b lost their records but c still stands on them.
  CHECK(f.state->snapshots().exists(a));
  CHECK(f.state->snapshots().exists(b));
  CHECK(f.state->snapshots().exists(c));
  CHECK(report.removed.empty());
  CHECK(f.state->cache().records().value().size() == 1);
}

TEST_CASE("prune with --max-used-space drops the least recently used first", "[cache][gc]") {
  StateFixture f;
  auto old_ref = f.add_layer("", "old", 200000, false);
  auto mid_ref = f.add_layer("", "mid", 200000, false);
  auto new_ref = f.add_layer("", "new", 200000, false);
  f.record("sha256:k-old", old_ref, 3000);
  f.record("sha256:k-mid", mid_ref, 2000);
  f.record("sha256:k-new", new_ref, 1000);
  const int64_t total = disk_usage(*f.state).value().total;

  GcOptions o;
  o.max_used = total - 100000; // one layer has to go
  auto report = prune(*f.state, o).value();
  CHECK(report.records_removed == 1);
  CHECK_FALSE(f.state->snapshots().exists(old_ref));
  CHECK(f.state->snapshots().exists(mid_ref));
  CHECK(f.state->snapshots().exists(new_ref));
  CHECK(disk_usage(*f.state).value().total <= *o.max_used);

  SECTION("--reserved-space is never pruned away") {
    GcOptions r;
    r.max_used = 0;
    r.reserved = disk_usage(*f.state).value().total - 1000; // only one more at most
    prune(*f.state, r).value();
    CHECK(f.state->snapshots().exists(new_ref));
  }
}

TEST_CASE("prune leaves what a live build leased and keeps orphans while it runs",
          "[cache][gc][lease]") {
  StateFixture f;
  auto used = f.add_layer("", "used", 1000, false);
  auto unused = f.add_layer("", "unused", 1000, false);
  auto orphan = f.add_layer("", "orphan", 1000, false); // no record: a build mid-commit
  f.record("sha256:k-used", used, 600);
  f.record("sha256:k-unused", unused, 600);

  int to_child[2], to_parent[2];
  REQUIRE(::pipe(to_child) == 0);
  REQUIRE(::pipe(to_parent) == 0);
  pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    auto idx = CacheIndex::open(f.dir.path() / "state" / "cache.db");
    bool ok = idx && (*idx)->lookup("sha256:k-used").value_or(std::nullopt).has_value();
    char c = ok ? 'y' : 'n';
    (void)!::write(to_parent[1], &c, 1);
    (void)!::read(to_child[0], &c, 1); // hold the lease until told to stop
    ::_exit(0);                        // like kill -9: no lease is released
  }
  char c = 0;
  REQUIRE(::read(to_parent[0], &c, 1) == 1);
  REQUIRE(c == 'y');

  auto usage = disk_usage(*f.state).value();
  for (const auto& item : usage.items)
    if (item.id == used)
      CHECK(item.in_use);

  auto report = prune(*f.state, {}).value();
  CHECK(report.other_users == std::vector<int64_t>{pid});
  CHECK(f.state->snapshots().exists(used));
  CHECK_FALSE(f.state->snapshots().exists(unused));
  CHECK(f.state->snapshots().exists(orphan));

  (void)!::write(to_child[1], &c, 1);
  int status = 0;
  ::waitpid(pid, &status, 0);
  // The build is gone (its leases with it): everything may go now.
  auto after = prune(*f.state, {}).value();
  CHECK(after.other_users.empty());
  CHECK_FALSE(f.state->snapshots().exists(used));
  CHECK_FALSE(f.state->snapshots().exists(orphan));
}

TEST_CASE("sizes, durations and filters parse like docker's", "[cache][gc]") {
  CHECK(parse_size("1000").value() == 1000);
  CHECK(parse_size("10GB").value() == 10LL * 1024 * 1024 * 1024);
  CHECK(parse_size("512m").value() == 512LL * 1024 * 1024);
  CHECK(parse_size("1.5k").value() == 1536);
  CHECK_FALSE(parse_size("ten").has_value());
  CHECK_FALSE(parse_size("10XB").has_value());

  CHECK(parse_duration("24h").value() == std::chrono::hours(24));
  CHECK(parse_duration("1h30m").value() == std::chrono::minutes(90));
  CHECK(parse_duration("90s").value() == std::chrono::seconds(90));
  CHECK(parse_duration("2d").value() == std::chrono::hours(48));
  CHECK_FALSE(parse_duration("soon").has_value());
  CHECK_FALSE(parse_duration("10x").has_value());

  CHECK(human_size(0) == "0B");
  CHECK(human_size(999) == "999B");
  CHECK(human_size(1234) == "1.234kB");
  CHECK(human_size(12345678) == "12.35MB");
  CHECK(human_size(3000000000LL) == "3GB");

  CHECK(human_duration(std::chrono::seconds(0)) == "Less than a second");
  CHECK(human_duration(std::chrono::seconds(45)) == "45 seconds");
  CHECK(human_duration(std::chrono::seconds(70)) == "About a minute");
  CHECK(human_duration(std::chrono::minutes(5)) == "5 minutes");
  CHECK(human_duration(std::chrono::minutes(61)) == "About an hour");
  CHECK(human_duration(std::chrono::hours(5)) == "5 hours");
  CHECK(human_duration(std::chrono::hours(72)) == "3 days");

  CHECK(parse_filters({"type=source.image", "id=abc"}).value().kinds ==
        std::vector<UsageKind>{UsageKind::image_layer});
  CHECK_FALSE(parse_filters({"label=x"}).has_value());
  CHECK_FALSE(parse_filters({"until"}).has_value());
}

TEST_CASE("du counts a hard-linked file once and marks parents shared", "[cache][gc][du]") {
  StateFixture f;
  auto a = f.add_layer("", "a", 100000, false);
  auto b = f.add_layer(a, "b", 1000, false);
  const int64_t before = disk_usage(*f.state).value().total;
  // A second name for a's file inside b's layer directory: no new bytes.
  auto b_dir = f.state->snapshots().chain(b).value().front();
  auto a_file = f.state->snapshots().chain(a).value().front() / "a";
  std::filesystem::create_hard_link(a_file, b_dir / "a-link");
  auto usage = disk_usage(*f.state).value();
  CHECK(usage.total - before < 8192); // at most a directory block, not 100 kB
  for (const auto& item : usage.items) {
    if (item.id == a) {
      CHECK(item.shared);
      CHECK(item.kind == UsageKind::build_layer);
    }
    if (item.id == b) {
      CHECK_FALSE(item.shared);
      CHECK(item.parent == a);
    }
  }
  CHECK(usage.shared > 0);
  CHECK(usage.reclaimable == usage.total);
}

TEST_CASE("prune with --min-free-space beyond the disk drops everything the filter allows",
          "[cache][gc]") {
  StateFixture f;
  auto a = f.add_layer("", "a", 1000, false);
  f.record("sha256:k-a", a, 10);
  GcOptions o;
  o.min_free = int64_t(1) << 60; // more than any disk has free
  auto report = prune(*f.state, o).value();
  CHECK(report.records_removed == 1);
  CHECK_FALSE(f.state->snapshots().exists(a));

  SECTION("but --reserved-space keeps that much") {
    auto b = f.add_layer("", "b", 1000, false);
    f.record("sha256:k-b", b, 10);
    o.reserved = disk_usage(*f.state).value().total;
    CHECK(prune(*f.state, o).value().records_removed == 0);
    CHECK(f.state->snapshots().exists(b));
  }
}

TEST_CASE("lazy base-image layers (a record, no snapshot, maybe no blob) are listed and pruned "
          "like image layers",
          "[cache][gc][lazy]") {
  StateFixture f;
  // Two base layers a build recorded but never extracted; only the lower
  // one's blob was downloaded (an oci output, say).
  oci::Descriptor d;
  d.media_type = "application/vnd.oci.image.layer.v1.tar+gzip";
  d.digest = f.state->content().put("blob of lazy1").value();
  d.size = 13;
  std::string l1 = "sha256:" + util::sha256_hex("lazy1");
  REQUIRE(f.state->put_layer({l1, "", d, d.digest, 0, true}));
  oci::Descriptor missing = d;
  missing.digest = oci::Digest::parse("sha256:" + std::string(64, 'e'), "test").value();
  std::string l2 = "sha256:" + util::sha256_hex("lazy2");
  REQUIRE(f.state->put_layer({l2, l1, missing, missing.digest, 0, true}));
  f.record("sha256:k-l1", l1, 7200);
  f.record("sha256:k-l2", l2, 7200);

  auto usage = disk_usage(*f.state).value();
  REQUIRE(usage.items.size() == 2);
  std::map<std::string, UsageItem> by_id;
  for (const auto& item : usage.items)
    by_id[item.id] = item;
  CHECK(by_id[l1].kind == UsageKind::image_layer);
  CHECK(by_id[l1].description.find("not extracted") != std::string::npos);
  CHECK(by_id[l1].size > 0); // its blob
  CHECK(by_id[l1].shared);
  CHECK(by_id[l2].parent == l1);
  CHECK(by_id[l2].description.find("not downloaded") != std::string::npos);
  CHECK(by_id[l2].size == 0);

  GcOptions o;
  auto kept = prune(*f.state, o).value();
  CHECK(kept.records_removed == 0);
  CHECK(f.state->stack(l2).value().size() == 2); // what the exporter reads

  o.all = PruneAll::yes;
  auto all = prune(*f.state, o).value();
  CHECK(all.records_removed == 2);
  CHECK(f.state->layer_refs().empty());
  CHECK_FALSE(f.state->content().exists(d.digest));
  CHECK(f.state->content().list().empty());
}
