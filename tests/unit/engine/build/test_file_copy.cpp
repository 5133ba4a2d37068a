// content_digest: what keys a COPY's cache is exactly what the COPY reads.

#include <catch2/catch.hpp>

#include "engine/build/file_copy.hpp"
#include "util/fs.hpp"

using namespace xbuild;
using namespace xbuild::engine;
using namespace xbuild::engine::build;

namespace {

struct Context {
  util::TempDir dir{"xbuild-copy-key"};
  Context() {
    put("src/app.txt", "app");
    put("src/debug.log", "log 1");
    put("src/logs/old.log", "old");
    put("src/logs/keep.txt", "keep");
    put("notes.md", "notes");
  }
  void put(const std::string& rel, const std::string& text) {
    std::filesystem::create_directories((dir.path() / rel).parent_path());
    REQUIRE(util::write_file_atomic(dir.path() / rel, text));
  }
  std::string digest(const std::vector<std::string>& paths,
                     const std::vector<std::string>& excludes) {
    auto matcher = dockerfile::IgnoreMatcher::compile(excludes);
    REQUIRE(matcher);
    auto d = content_digest(dir.path(), paths, nullptr, excludes.empty() ? nullptr : &*matcher);
    REQUIRE(d);
    return *d;
  }
};

} // namespace

TEST_CASE("a file left out by COPY --exclude does not change the content digest",
          "[engine][build][copy]") {
  Context c;
  std::vector<std::string> excludes = {"*.log", "logs"};
  auto before = c.digest({"src"}, excludes);
  c.put("src/debug.log", "log 2");      // excluded by *.log, relative to the source
  c.put("src/logs/keep.txt", "keep 2"); // inside an excluded directory
  c.put("src/logs/new.txt", "new");
  CHECK(c.digest({"src"}, excludes) == before);
  c.put("src/app.txt", "app 2"); // copied: the step must run again
  CHECK(c.digest({"src"}, excludes) != before);
}

TEST_CASE("without COPY --exclude every file under a source keys the digest",
          "[engine][build][copy]") {
  Context c;
  auto before = c.digest({"src"}, {});
  c.put("src/debug.log", "log 2");
  CHECK(c.digest({"src"}, {}) != before);
}

TEST_CASE("COPY --exclude patterns are relative to each source, not to the context",
          "[engine][build][copy]") {
  Context c;
  // "src/*.log" names nothing below the source "src": debug.log still counts.
  auto before = c.digest({"src"}, {"src/*.log"});
  c.put("src/debug.log", "log 2");
  CHECK(c.digest({"src"}, {"src/*.log"}) != before);
  // From the context root the same pattern does match.
  auto from_root = c.digest({""}, {"src/*.log"});
  c.put("src/debug.log", "log 3");
  CHECK(c.digest({""}, {"src/*.log"}) == from_root);
  c.put("notes.md", "notes 2");
  CHECK(c.digest({""}, {"src/*.log"}) != from_root);
}

TEST_CASE("a file source is excluded by its own name", "[engine][build][copy]") {
  Context c;
  auto before = c.digest({"src/app.txt", "src/debug.log"}, {"*.log"});
  c.put("src/debug.log", "log 2");
  CHECK(c.digest({"src/app.txt", "src/debug.log"}, {"*.log"}) == before);
  c.put("src/app.txt", "app 2");
  CHECK(c.digest({"src/app.txt", "src/debug.log"}, {"*.log"}) != before);
}
