#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <thread>

#include "engine/progress.hpp"
#include "engine/solver/cache_key.hpp"
#include "engine/solver/scheduler.hpp"

using namespace xbuild;
using namespace xbuild::engine;
using namespace xbuild::engine::solver;

namespace {

// A fake op: records when it ran, optionally sleeps or fails, and produces a
// Ref derived from its name and its inputs.
struct Trace {
  std::mutex mutex;
  std::vector<std::string> ran;
  std::map<std::string, std::pair<Clock::time_point, Clock::time_point>> spans;
};

class FakeOp : public Op {
public:
  FakeOp(std::string name, Trace& trace, int sleep_ms = 0, bool fails = false,
         std::string content = "")
      : m_name(std::move(name)), m_trace(trace), m_sleep_ms(sleep_ms), m_fails(fails),
        m_content(std::move(content)) {}
  std::string definition() const override { return "fake:" + m_name; }
  std::string display_name() const override { return m_name; }
  Result<std::string> content_key(const std::vector<Ref>&, const RunContext&) const override {
    return m_content;
  }
  Result<Ref> run(const std::vector<Ref>& inputs, const RunContext& ctx) const override {
    auto start = Clock::now();
    std::this_thread::sleep_for(std::chrono::milliseconds(m_sleep_ms));
    ctx.log(1, "hello from " + m_name + "\n");
    {
      std::lock_guard lock(m_trace.mutex);
      m_trace.ran.push_back(m_name);
      m_trace.spans[m_name] = {start, Clock::now()};
    }
    if (m_fails)
      return fail("process \"/bin/sh -c false\" did not complete successfully: exit code: 1");
    std::string id = m_name;
    for (const auto& in : inputs)
      id += "(" + in.id + ")";
    return Ref{id};
  }

private:
  std::string m_name;
  Trace& m_trace;
  int m_sleep_ms;
  bool m_fails;
  std::string m_content;
};

std::shared_ptr<Op> op(const std::string& name, Trace& t, int sleep_ms = 0, bool fails = false,
                       std::string content = "") {
  return std::make_shared<FakeOp>(name, t, sleep_ms, fails, content);
}

bool overlap(const std::pair<Clock::time_point, Clock::time_point>& a,
             const std::pair<Clock::time_point, Clock::time_point>& b) {
  return a.first < b.second && b.first < a.second;
}

} // namespace

TEST_CASE("identical ops on identical inputs are one vertex", "[solver][graph]") {
  Trace t;
  Graph g;
  Vertex* base1 = g.add(op("base", t));
  Vertex* base2 = g.add(op("base", t));
  CHECK(base1 == base2);
  Vertex* a = g.add(op("run", t), {base1});
  Vertex* b = g.add(op("run", t), {g.add(op("other", t))});
  CHECK(a != b); // same op, different input: different work
  CHECK(g.size() == 4);
  CHECK(g.dump().find("run") != std::string::npos);
}

TEST_CASE("cache keys of differently split fields differ", "[solver][cache-key]") {
  auto k1 = KeyHasher("d").field("a", "bc").finish();
  auto k2 = KeyHasher("d").field("ab", "c").finish();
  auto k3 = KeyHasher("d").field("a", "bc").finish();
  CHECK(k1 != k2);
  CHECK(k1 == k3);
  CHECK(k1.rfind("sha256:", 0) == 0);
}

TEST_CASE("independent vertices run in parallel and unused ones never run", "[solver]") {
  Trace t;
  Graph g;
  Vertex* base = g.add(op("base", t));
  Vertex* s1 = g.add(op("stage1", t, 300), {base});
  Vertex* s2 = g.add(op("stage2", t, 300), {base});
  g.add(op("unused", t, 0), {base});
  Vertex* final = g.add(op("final", t), {s1, s2});
  MemoryCacheIndex cache;
  RecordingSink sink;
  SolveOptions opts;
  opts.max_parallelism = 4;
  opts.progress = &sink;
  auto r = solve({final}, cache, opts);
  REQUIRE(r);
  CHECK(r->refs[0].id == "final(stage1(base))(stage2(base))");
  CHECK(std::find(t.ran.begin(), t.ran.end(), "unused") == t.ran.end());
  CHECK(t.ran.size() == 4);
  CHECK(overlap(t.spans["stage1"], t.spans["stage2"]));
  // base ran before both stages; final after both.
  CHECK(t.spans["base"].second <= t.spans["stage1"].first);
  CHECK(t.spans["final"].first >= t.spans["stage2"].second);
  // Every vertex reported start and completion; logs were streamed.
  for (const auto& e : sink.vertices)
    CHECK(e.name != "unused");
  CHECK(sink.logs.size() == 4);
}

TEST_CASE("max parallelism 1 runs one vertex at a time", "[solver]") {
  Trace t;
  Graph g;
  Vertex* s1 = g.add(op("a", t, 100));
  Vertex* s2 = g.add(op("b", t, 100));
  MemoryCacheIndex cache;
  SolveOptions opts;
  opts.max_parallelism = 1;
  REQUIRE(solve({s1, s2}, cache, opts));
  CHECK_FALSE(overlap(t.spans["a"], t.spans["b"]));
}

TEST_CASE("a second solve with the same cache runs nothing", "[solver][cache]") {
  MemoryCacheIndex cache;
  Trace t1;
  Graph g1;
  Vertex* f1 = g1.add(op("run", t1), {g1.add(op("base", t1))});
  auto first = solve({f1}, cache, {});
  REQUIRE(first);
  CHECK(first->executed == 2);

  Trace t2;
  Graph g2;
  Vertex* f2 = g2.add(op("run", t2), {g2.add(op("base", t2))});
  RecordingSink sink;
  SolveOptions opts;
  opts.progress = &sink;
  auto second = solve({f2}, cache, opts);
  REQUIRE(second);
  CHECK(second->executed == 0);
  CHECK(t2.ran.empty());
  CHECK(second->refs == first->refs);
  REQUIRE(sink.vertices.size() == 2);
  CHECK(sink.vertices[0].cached);
  CHECK(sink.vertices[1].cached);

  SECTION("--no-cache runs everything again") {
    Trace t3;
    Graph g3;
    Vertex* f3 = g3.add(op("run", t3), {g3.add(op("base", t3))});
    SolveOptions nc;
    nc.no_cache = true;
    auto third = solve({f3}, cache, nc);
    REQUIRE(third);
    CHECK(third->executed == 2);
  }
}

TEST_CASE("changed content re-runs that vertex and its dependents only", "[solver][cache]") {
  MemoryCacheIndex cache;
  auto build = [&](const std::string& copied, Trace& t) {
    Graph g;
    Vertex* base = g.add(op("base", t));
    Vertex* other = g.add(op("other", t), {base});
    Vertex* copy = g.add(op("copy", t, 0, false, copied), {base});
    Vertex* after = g.add(op("after", t), {copy, other});
    return solve({after}, cache, {});
  };
  Trace t1, t2, t3;
  REQUIRE(build("sha256:aaa", t1));
  REQUIRE(build("sha256:aaa", t2));
  CHECK(t2.ran.empty());
  REQUIRE(build("sha256:bbb", t3));
  std::sort(t3.ran.begin(), t3.ran.end());
  CHECK(t3.ran == std::vector<std::string>{"after", "copy"});
}

TEST_CASE("a failure names the vertex and stops its dependents", "[solver]") {
  Trace t;
  Graph g;
  Vertex* bad = g.add(op("[2/3] RUN false", t, 0, true));
  Vertex* after = g.add(op("after", t), {bad});
  MemoryCacheIndex cache;
  RecordingSink sink;
  SolveOptions opts;
  opts.progress = &sink;
  auto r = solve({after}, cache, opts);
  REQUIRE_FALSE(r);
  CHECK(r.error().message.find("[2/3] RUN false") != std::string::npos);
  CHECK(r.error().message.find("exit code: 1") != std::string::npos);
  CHECK(std::find(t.ran.begin(), t.ran.end(), "after") == t.ran.end());
  REQUIRE_FALSE(sink.vertices.empty());
  CHECK_FALSE(sink.vertices.back().error.empty());
  // Failed work is not cached.
  Trace t2;
  Graph g2;
  auto again = solve({g2.add(op("[2/3] RUN false", t2, 0, true))}, cache, {});
  CHECK_FALSE(again);
  CHECK(t2.ran.size() == 1);
}

TEST_CASE("cancellation stops the solve with exit code 130", "[solver]") {
  Trace t;
  Graph g;
  Vertex* a = g.add(op("a", t, 50));
  Vertex* b = g.add(op("b", t), {a});
  util::CancelSource cancel;
  cancel.request("test");
  MemoryCacheIndex cache;
  SolveOptions opts;
  opts.cancel = &cancel;
  auto r = solve({b}, cache, opts);
  REQUIRE_FALSE(r);
  CHECK(r.error().exit_code == 130);
  CHECK(t.ran.empty());
}

TEST_CASE("contained failures give up only the vertices that need them", "[solver][continue]") {
  Trace t;
  Graph g;
  Vertex* base = g.add(op("base", t));
  Vertex* bad = g.add(op("[bad 2/2] RUN false", t, 50, true), {base});
  Vertex* after_bad = g.add(op("after-bad", t), {bad});
  Vertex* good = g.add(op("good", t, 100), {base});
  Vertex* both = g.add(op("both", t), {good, bad});
  MemoryCacheIndex cache;
  SolveOptions opts;
  opts.on_failure = OnFailure::contain;
  opts.max_parallelism = 4;
  auto r = solve_partial({after_bad, good, both}, cache, opts);
  REQUIRE(r);
  REQUIRE(r->failures.size() == 3);
  REQUIRE(r->failures[0]);
  CHECK_FALSE(r->failures[0]->stopped);
  CHECK(r->failures[0]->error.message.find("[bad 2/2] RUN false") != std::string::npos);
  CHECK_FALSE(r->failures[1]);
  CHECK(r->refs[1].id == "good(base)");
  REQUIRE(r->failures[2]);
  CHECK(r->failures[2]->error.message.find("RUN false") != std::string::npos);
  CHECK(std::find(t.ran.begin(), t.ran.end(), "after-bad") == t.ran.end());
  CHECK(std::find(t.ran.begin(), t.ran.end(), "both") == t.ran.end());
  // The plain solve still fails with the first error.
  Trace t2;
  Graph g2;
  auto plain = solve({g2.add(op("[bad 2/2] RUN false", t2, 0, true))}, cache, {});
  REQUIRE_FALSE(plain);
}

TEST_CASE("fail-fast partial solves tell failed targets from stopped ones", "[solver][continue]") {
  Trace t;
  Graph g;
  Vertex* bad = g.add(op("bad", t, 0, true));
  Vertex* slow = g.add(op("slow", t, 200));
  Vertex* later = g.add(op("later", t), {slow});
  MemoryCacheIndex cache;
  SolveOptions opts;
  opts.max_parallelism = 2;
  auto r = solve_partial({bad, later}, cache, opts);
  REQUIRE(r);
  REQUIRE(r->failures[0]);
  CHECK_FALSE(r->failures[0]->stopped);
  REQUIRE(r->failures[1]);
  CHECK(r->failures[1]->stopped);
  CHECK(std::find(t.ran.begin(), t.ran.end(), "later") == t.ran.end());
}

TEST_CASE("max jobs bounds how many jobs build at once; shared work runs once", "[solver][jobs]") {
  Trace t;
  Graph g;
  Vertex* base = g.add(op("base", t, 20));
  Vertex* a = g.add(op("a", t, 150), {base});
  Vertex* b = g.add(op("b", t, 150), {base});
  Vertex* c = g.add(op("c", t, 150), {base});
  MemoryCacheIndex cache;
  SolveOptions opts;
  opts.max_parallelism = 4;
  opts.target_jobs = {0, 1, 2};

  SECTION("one job at a time: in job order, never overlapping") {
    opts.max_jobs = 1;
    auto r = solve_partial({a, b, c}, cache, opts);
    REQUIRE(r);
    CHECK(t.ran == std::vector<std::string>{"base", "a", "b", "c"});
    CHECK_FALSE(overlap(t.spans["a"], t.spans["b"]));
    CHECK_FALSE(overlap(t.spans["b"], t.spans["c"]));
  }
  SECTION("two jobs at a time: the third waits for a free slot") {
    opts.max_jobs = 2;
    auto r = solve_partial({a, b, c}, cache, opts);
    REQUIRE(r);
    CHECK(overlap(t.spans["a"], t.spans["b"]));
    CHECK(t.spans["c"].first >= std::min(t.spans["a"].second, t.spans["b"].second));
  }
  SECTION("no limit: all jobs overlap") {
    auto r = solve_partial({a, b, c}, cache, opts);
    REQUIRE(r);
    CHECK(overlap(t.spans["a"], t.spans["c"]));
  }
  CHECK(std::count(t.ran.begin(), t.ran.end(), "base") == 1);
}

TEST_CASE("a job whose work failed frees its slot for the next one", "[solver][jobs][continue]") {
  Trace t;
  Graph g;
  Vertex* bad = g.add(op("bad", t, 0, true));
  Vertex* after = g.add(op("after", t, 0), {bad});
  Vertex* next = g.add(op("next", t, 0));
  MemoryCacheIndex cache;
  SolveOptions opts;
  opts.on_failure = OnFailure::contain;
  opts.target_jobs = {0, 1};
  opts.max_jobs = 1;
  auto r = solve_partial({after, next}, cache, opts);
  REQUIRE(r);
  CHECK(r->failures[0]);
  CHECK_FALSE(r->failures[1]);
  CHECK(r->refs[1].id == "next");
}
