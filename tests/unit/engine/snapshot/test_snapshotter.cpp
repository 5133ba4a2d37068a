// Snapshots on both backends: what a step changes shows up in the diff,
// stacking shows lower layers through, commits are stored once.

#include <catch2/catch.hpp>

#include <fstream>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "engine/snapshot/snapshotter.hpp"
#include "util/fs.hpp"
#include "util/strings.hpp"

using namespace xbuild;
using namespace xbuild::engine::snapshot;
namespace fs = std::filesystem;

namespace {

void write(const fs::path& p, const std::string& text) {
  fs::create_directories(p.parent_path());
  REQUIRE(util::write_file_atomic(p, text));
}

std::string read(const fs::path& p) { return util::read_file(p).value_or("<missing>"); }

// Runs `body` once per backend available here; overlay needs root.
template <typename Body>
void for_each_backend(Body body) {
  for (auto choice : {BackendChoice::overlay, BackendChoice::copy}) {
    if (choice == BackendChoice::overlay && ::geteuid() != 0) {
      WARN("overlay backend skipped: needs root");
      continue;
    }
    util::TempDir state("xbuild-snap");
    auto snap = Snapshotter::open(state.path(), choice);
    if (!snap)
      FAIL(snap.error().message);
    INFO("backend " << ((*snap)->backend() == Backend::overlay ? "overlay" : "copy"));
    body(**snap);
  }
}

#define REQUIRE_VALUE(var, expr)                                                                   \
  auto var##_r = (expr);                                                                           \
  if (!var##_r)                                                                                    \
    FAIL(var##_r.error().message);                                                                 \
  auto var = std::move(*var##_r)

// A base layer: /etc/os, /bin/tool, /data/{keep,drop}, /cache/{a,b}.
std::string make_base(Snapshotter& s) {
  REQUIRE_VALUE(a, s.prepare(""));
  write(a.root() / "etc/os", "base\n");
  write(a.root() / "bin/tool", "#!tool\n");
  write(a.root() / "data/keep", "k\n");
  write(a.root() / "data/drop", "d\n");
  write(a.root() / "cache/a", "a\n");
  write(a.root() / "cache/b", "b\n");
  REQUIRE_VALUE(name, s.commit(std::move(a), "base"));
  return name;
}

} // namespace

TEST_CASE("the backend is chosen as asked", "[engine][snapshot]") {
  util::TempDir state("xbuild-snap");
  auto copy = Snapshotter::open(state.path(), BackendChoice::copy);
  REQUIRE(copy);
  CHECK((*copy)->backend() == Backend::copy);
  if (::geteuid() == 0) {
    auto automatic = Snapshotter::open(state.path());
    REQUIRE(automatic);
    CHECK((*automatic)->backend() == Backend::overlay);
  }
}

TEST_CASE("a first snapshot's diff lists everything it holds as added", "[engine][snapshot]") {
  for_each_backend([](Snapshotter& s) {
    REQUIRE_VALUE(a, s.prepare(""));
    write(a.root() / "etc/os", "x\n");
    fs::create_symlink("os", a.root() / "etc/link");
    REQUIRE_VALUE(d, s.diff(a));
    CHECK(dump(d) == "A etc\nA etc/link\nA etc/os\n");
  });
}

TEST_CASE("creating, modifying and deleting files shows in the diff", "[engine][snapshot]") {
  for_each_backend([](Snapshotter& s) {
    make_base(s);
    REQUIRE_VALUE(a, s.prepare("base"));
    CHECK(read(a.root() / "etc/os") == "base\n");
    write(a.root() / "etc/os", "changed\n");
    write(a.root() / "new/file", "n\n");
    fs::remove(a.root() / "data/drop");
    REQUIRE_VALUE(d, s.diff(a));
    CHECK(dump(d) == "M data\nD data/drop\nM etc\nM etc/os\nA new\nA new/file\n");
    CHECK(deleted_paths(d) == std::vector<std::string>{"data/drop"});
    CHECK(opaque_dirs(d).empty());
  });
}

TEST_CASE("a metadata-only change is a modification", "[engine][snapshot]") {
  for_each_backend([](Snapshotter& s) {
    make_base(s);
    REQUIRE_VALUE(a, s.prepare("base"));
    REQUIRE(::chmod((a.root() / "bin/tool").c_str(), 0755) == 0);
    REQUIRE_VALUE(d, s.diff(a));
    // overlay copied the parent directory up, but its metadata is the lower
    // one's, so it is not a change (stage_changes adds parents anyway).
    CHECK(dump(d) == "M bin/tool\n");
  });
}

TEST_CASE("a replaced directory hides its old contents", "[engine][snapshot]") {
  for_each_backend([](Snapshotter& s) {
    make_base(s);
    REQUIRE_VALUE(a, s.prepare("base"));
    fs::remove_all(a.root() / "cache");
    write(a.root() / "cache/c", "c\n");
    REQUIRE_VALUE(d, s.diff(a));
    if (s.backend() == Backend::overlay) {
      // overlay marks the recreated directory opaque
      CHECK(dump(d) == "M+opq cache\nA cache/c\n");
      CHECK(opaque_dirs(d) == std::vector<std::string>{"cache"});
    } else {
      CHECK(dump(d) == "M cache\nD cache/a\nD cache/b\nA cache/c\n");
    }
  });
}

TEST_CASE("stacked snapshots show every layer and diff only the top", "[engine][snapshot]") {
  for_each_backend([](Snapshotter& s) {
    make_base(s);
    {
      REQUIRE_VALUE(mid, s.prepare("base"));
      write(mid.root() / "etc/os", "mid\n");
      fs::remove(mid.root() / "data/keep");
      REQUIRE(s.commit(std::move(mid), "mid"));
    }
    REQUIRE_VALUE(top, s.prepare("mid"));
    CHECK(read(top.root() / "etc/os") == "mid\n");
    CHECK(read(top.root() / "bin/tool") == "#!tool\n");
    CHECK_FALSE(fs::exists(top.root() / "data/keep"));
    CHECK(fs::exists(top.root() / "data/drop"));
    write(top.root() / "data/keep", "again\n");
    REQUIRE_VALUE(d, s.diff(top));
    // data/keep was deleted in "mid", so it is new again here.
    CHECK(dump(d) == "M data\nA data/keep\n");
    REQUIRE_VALUE(chain, s.chain("mid"));
    CHECK(chain.size() == (s.backend() == Backend::overlay ? 2u : 1u));
  });
}

TEST_CASE("committing the same name twice keeps one copy", "[engine][snapshot]") {
  for_each_backend([](Snapshotter& s) {
    make_base(s);
    REQUIRE_VALUE(again, s.prepare(""));
    write(again.root() / "etc/os", "other\n");
    REQUIRE_VALUE(name, s.commit(std::move(again), "base"));
    CHECK(name == "base");
    REQUIRE_VALUE(v, s.view("base"));
    CHECK(read(v.root() / "etc/os") == "base\n");
  });
}

TEST_CASE("an uncommitted snapshot leaves nothing behind", "[engine][snapshot]") {
  for_each_backend([](Snapshotter& s) {
    make_base(s);
    fs::path root;
    {
      REQUIRE_VALUE(a, s.prepare("base"));
      root = a.root();
      write(a.root() / "tmpfile", "x\n");
    }
    CHECK_FALSE(fs::exists(root));
    CHECK(s.exists("base"));
    CHECK_FALSE(s.exists("nope"));
  });
}

TEST_CASE("a snapshot with children cannot be removed", "[engine][snapshot]") {
  for_each_backend([](Snapshotter& s) {
    make_base(s);
    {
      REQUIRE_VALUE(child, s.prepare("base"));
      REQUIRE(s.commit(std::move(child), "child"));
    }
    auto r = s.remove("base");
    REQUIRE_FALSE(r);
    CHECK(r.error().message.find("is the parent of") != std::string::npos);
    REQUIRE(s.remove("child"));
    REQUIRE(s.remove("base"));
    CHECK_FALSE(s.exists("base"));
  });
}

TEST_CASE("staged changes hold exactly the added and modified entries", "[engine][snapshot]") {
  for_each_backend([](Snapshotter& s) {
    make_base(s);
    REQUIRE_VALUE(a, s.prepare("base"));
    write(a.root() / "etc/os", "changed\n");
    write(a.root() / "deep/er/file", "f\n");
    REQUIRE(::chmod((a.root() / "deep/er").c_str(), 0710) == 0);
    fs::remove(a.root() / "data/drop");
    REQUIRE_VALUE(d, s.diff(a));
    util::TempDir out("xbuild-stage");
    auto staged = stage_changes(d, s.changes_root(a), out.path() / "layer");
    if (!staged)
      FAIL(staged.error().message);
    auto layer = out.path() / "layer";
    CHECK(read(layer / "etc/os") == "changed\n");
    CHECK(read(layer / "deep/er/file") == "f\n");
    CHECK((fs::status(layer / "deep/er").permissions() & fs::perms::all) == fs::perms(0710));
    CHECK_FALSE(fs::exists(layer / "bin"));
    CHECK_FALSE(fs::exists(layer / "data/keep"));
    CHECK_FALSE(fs::exists(layer / "data/drop"));
  });
}

TEST_CASE("snapshots left by a killed process are cleaned up, live ones are kept",
          "[engine][snapshot]") {
  for_each_backend([](Snapshotter& s) {
    make_base(s);
    REQUIRE_VALUE(live, s.prepare("base"));
    write(live.root() / "mine", "x\n");
    // A process that dies mid-step (like kill -9): no destructors run.
    pid_t pid = ::fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
      auto other = Snapshotter::open(
          s.root(), s.backend() == Backend::overlay ? BackendChoice::overlay : BackendChoice::copy);
      if (!other)
        ::_exit(2);
      auto a = (*other)->prepare("base");
      if (!a)
        ::_exit(3);
      std::ofstream(a->root() / "crash-file") << "y\n";
      ::_exit(0);
    }
    int status = 0;
    REQUIRE(::waitpid(pid, &status, 0) == pid);
    REQUIRE(WIFEXITED(status));
    REQUIRE(WEXITSTATUS(status) == 0);
    size_t dirs_before = 0;
    for ([[maybe_unused]] auto& e : fs::directory_iterator(s.root() / "snapshots"))
      ++dirs_before;
    CHECK(dirs_before == 3); // base, live, crashed
    auto removed = s.remove_stale();
    REQUIRE(removed);
    CHECK(*removed == 1);
    CHECK(read(live.root() / "mine") == "x\n");
    std::string mounts = util::read_file("/proc/self/mountinfo").value_or("");
    size_t overlays_here = 0; // mount points (5th field) under the state dir
    for (const auto& line : util::split(mounts, '\n')) {
      auto fields = util::split(line, ' ');
      if (fields.size() > 4 && fields[4].rfind(s.root().string(), 0) == 0)
        ++overlays_here;
    }
    CHECK(overlays_here == (s.backend() == Backend::overlay ? 1u : 0u)); // only `live`
    REQUIRE(s.commit(std::move(live), "live"));
    CHECK(s.exists("live"));
  });
}

TEST_CASE("a chain deeper than one page of absolute overlay paths still mounts",
          "[engine][snapshot]") {
  if (::geteuid() != 0) {
    WARN("skipped: overlay needs root");
    return;
  }
  util::TempDir tmp("xbuild-snap");
  // A long state path: 40 layers of ~200-byte paths are far beyond 4 KiB.
  auto state = tmp.path() / std::string(150, 'd');
  auto opened = Snapshotter::open(state, BackendChoice::overlay);
  REQUIRE(opened);
  Snapshotter& s = **opened;
  std::string parent;
  constexpr int k_layers = 40;
  for (int i = 0; i < k_layers; ++i) {
    auto a = s.prepare(parent);
    if (!a)
      FAIL("layer " << i << ": " << a.error().message);
    write(a->root() / ("f" + std::to_string(i)), std::to_string(i));
    parent = "layer" + std::to_string(i);
    REQUIRE(s.commit(std::move(*a), parent));
  }
  REQUIRE_VALUE(chain, s.chain(parent));
  CHECK(chain.size() == k_layers);
  REQUIRE_VALUE(top, s.prepare(parent));
  CHECK(read(top.root() / "f0") == "0");
  CHECK(read(top.root() / "f39") == "39");
  fs::remove(top.root() / "f0");
  REQUIRE_VALUE(d, s.diff(top));
  CHECK(dump(d) == "D f0\n");
}
