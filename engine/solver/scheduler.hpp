#pragma once
// Runs the part of a Graph that the requested targets need.

#include <optional>
#include <string>
#include <vector>

#include "engine/solver/graph.hpp"

namespace xbuild::engine::solver {

// Where results of earlier builds are found by cache key. The persistent
// implementation lives in engine/cache/; tests use MemoryCacheIndex.
class CacheIndex {
public:
  virtual ~CacheIndex() = default;
  virtual Result<std::optional<Ref>> lookup(const std::string& key) = 0;
  virtual Result<void> store(const std::string& key, const Ref& ref) = 0;
};

class MemoryCacheIndex : public CacheIndex {
public:
  Result<std::optional<Ref>> lookup(const std::string& key) override;
  Result<void> store(const std::string& key, const Ref& ref) override;

private:
  std::mutex m_mutex;
  std::map<std::string, Ref> m_entries;
};

// What a failed vertex does to the rest of the solve.
enum class OnFailure {
  stop,     // fail-fast: no new work starts; running work is awaited
  contain,  // only the vertices that need the failed one are given up
};

struct SolveOptions {
  size_t max_parallelism = 0;            // 0: one worker per core
  bool no_cache = false;                 // run everything; still record results
  ProgressSink* progress = nullptr;      // may be null
  const util::CancelSource* cancel = nullptr;
  OnFailure on_failure = OnFailure::stop;
  // Jobs (a bake's targets): target_jobs[i] is the job of target i (empty:
  // one job). With max_jobs > 0, vertices run only for the first max_jobs
  // unfinished jobs, in job order; a vertex several jobs need runs as soon as
  // one of them is admitted. A job is finished when every vertex it needs
  // is done or given up.
  std::vector<size_t> target_jobs;
  size_t max_jobs = 0;
};

// Why a target has no ref.
struct TargetFailure {
  Error error;          // the first failure among the vertices it needs
  bool stopped = false; // nothing it needs failed: the solve stopped (fail-fast) first
};

struct SolveResult {
  std::vector<Ref> refs;                         // one per target, same order ({} when not built)
  std::vector<std::optional<TargetFailure>> failures; // one per target (solve_partial only)
  std::map<std::string, std::string> cache_keys; // vertex digest → cache key
  size_t executed = 0;                           // vertices that ran (not cached)
};

// Runs every vertex the targets depend on, each once, independent ones in
// parallel. The first failure stops scheduling new work (whatever
// options.on_failure says); running work is awaited; the error names the
// failing vertex.
Result<SolveResult> solve(const std::vector<Vertex*>& targets, CacheIndex& cache,
                          const SolveOptions& options);

// The same, but a failed vertex is an outcome, not an error: every target
// gets a ref or a TargetFailure. With OnFailure::contain a failure gives up
// only the vertices that depend on it, so targets that do not need it are
// still built. Only cancellation (130) is an error.
Result<SolveResult> solve_partial(const std::vector<Vertex*>& targets, CacheIndex& cache,
                                  const SolveOptions& options);

} // namespace xbuild::engine::solver
