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

struct SolveOptions {
  size_t max_parallelism = 0;            // 0: one worker per core
  bool no_cache = false;                 // run everything; still record results
  ProgressSink* progress = nullptr;      // may be null
  const util::CancelSource* cancel = nullptr;
};

struct SolveResult {
  std::vector<Ref> refs;                         // one per target, same order
  std::map<std::string, std::string> cache_keys; // vertex digest → cache key
  size_t executed = 0;                           // vertices that ran (not cached)
};

// Runs every vertex the targets depend on, each once, independent ones in
// parallel. The first failure stops scheduling new work; running work is
// awaited; the error names the failing vertex.
Result<SolveResult> solve(const std::vector<Vertex*>& targets, CacheIndex& cache,
                          const SolveOptions& options);

} // namespace xbuild::engine::solver
