// The scheduler.
//
// Only vertices reachable from the targets are considered: that is stage
// pruning for free, since an unused stage is simply never reached. Each
// vertex waits for its inputs (a pending-input counter per vertex); when the
// counter drops to zero it enters the ready queue. A fixed pool of workers
// takes ready vertices in priority order: the vertex with the longest chain
// of work still behind it goes first, so the critical path starts early and
// short side branches fill the gaps (the classic list-scheduling heuristic).
//
// For a ready vertex the worker computes its cache key from the op's
// definition, the inputs' cache keys (not their digests: an input that came
// from the cache has the same key it had when it was built) and the content
// digest the op reads. A hit reuses the stored Ref and reports the vertex as
// cached; a miss runs the op and records the result.
//
// Failure: a failed vertex gives up every vertex that depends on it (they
// count as finished without running). In fail-fast mode (OnFailure::stop)
// the first error also stops new work; running ops finish (or notice
// cancellation), and the error is returned naming the vertex. In
// OnFailure::contain mode everything that does not depend on the failure
// still runs, so a bake's independent targets are still built; each target
// then carries the first failure among the vertices it needs.
//
// Jobs bound how many of a bake's targets build at once: every vertex knows
// the jobs that need it; a ready vertex whose jobs are all still waiting is
// parked until one of them is admitted. Jobs are admitted in order, up to
// max_jobs at a time; a job leaves when all its vertices are finished.

#include "engine/solver/scheduler.hpp"

#include <algorithm>
#include <condition_variable>
#include <functional>
#include <queue>
#include <set>
#include <thread>
#include <unordered_map>

#include "engine/progress.hpp"
#include "engine/solver/cache_key.hpp"
#include "util/log.hpp"
#include "util/sha256.hpp"

namespace xbuild::engine::solver {

Result<std::optional<Ref>> MemoryCacheIndex::lookup(const std::string& key) {
  std::lock_guard lock(m_mutex);
  auto it = m_entries.find(key);
  if (it == m_entries.end())
    return std::optional<Ref>();
  return std::optional<Ref>(it->second);
}

Result<void> MemoryCacheIndex::store(const std::string& key, const Ref& ref) {
  std::lock_guard lock(m_mutex);
  m_entries[key] = ref;
  return {};
}

namespace {

struct Node {
  Vertex* vertex = nullptr;
  size_t pending = 0;               // inputs not yet done
  std::vector<Node*> dependents;    // reachable vertices that consume this one
  size_t remaining_work = 0;        // longest chain of vertices from here to a target
  std::vector<size_t> jobs;         // jobs that need this vertex, ascending
  std::optional<Ref> ref;
  std::optional<Error> failure;     // it failed, or an input did (then it never runs)
  std::string cache_key;
};

// Higher remaining_work first; ties broken by digest for determinism.
struct ByPriority {
  bool operator()(const Node* a, const Node* b) const {
    if (a->remaining_work != b->remaining_work)
      return a->remaining_work < b->remaining_work;
    return a->vertex->digest > b->vertex->digest;
  }
};

class Run {
public:
  Run(CacheIndex& cache, const SolveOptions& options) : m_cache(cache), m_options(options) {}

  // Runs the solve; `m_error` holds the first failure, `canceled()` says
  // whether cancellation cut it short.
  SolveResult execute(const std::vector<Vertex*>& targets) {
    collect(targets);
    compute_priorities();
    assign_jobs(targets);
    for (auto& [v, n] : m_nodes)
      if (n.pending == 0)
        make_ready(n);
    size_t workers = m_options.max_parallelism ? m_options.max_parallelism
                                               : std::max(1u, std::thread::hardware_concurrency());
    workers = std::min(workers, m_nodes.size());
    std::vector<std::thread> pool;
    for (size_t i = 0; i < workers; ++i)
      pool.emplace_back([this] { work(); });
    for (auto& t : pool)
      t.join();
    SolveResult result;
    result.executed = m_executed;
    for (Vertex* t : targets) {
      const Node& n = m_nodes.at(t);
      result.refs.push_back(n.ref.value_or(Ref{}));
      if (n.failure)
        result.failures.push_back(TargetFailure{*n.failure, false});
      else if (!n.ref)
        result.failures.push_back(TargetFailure{stop_reason(), true});
      else
        result.failures.push_back(std::nullopt);
    }
    for (auto& [v, n] : m_nodes)
      result.cache_keys[v->digest] = n.cache_key;
    return result;
  }

  const std::optional<Error>& first_error() const { return m_error; }
  bool canceled() const {
    return m_done != m_nodes.size() && m_options.cancel && m_options.cancel->requested();
  }
  Error cancel_error() const {
    return Error{"build canceled: " + (m_options.cancel ? m_options.cancel->reason()
                                                        : std::string("stopped")),
                 130};
  }

private:
  void collect(const std::vector<Vertex*>& targets) {
    std::vector<Vertex*> stack(targets.begin(), targets.end());
    while (!stack.empty()) {
      Vertex* v = stack.back();
      stack.pop_back();
      if (m_nodes.count(v))
        continue;
      Node& n = m_nodes[v];
      n.vertex = v;
      for (Vertex* in : v->inputs)
        stack.push_back(in);
    }
    for (auto& [v, n] : m_nodes) {
      // An op that uses the same input twice waits for it once per use.
      n.pending = v->inputs.size();
      for (Vertex* in : v->inputs)
        m_nodes.at(in).dependents.push_back(&n);
    }
  }

  void compute_priorities() {
    std::function<size_t(Node&)> depth = [&](Node& n) -> size_t {
      if (n.remaining_work)
        return n.remaining_work;
      size_t best = 0;
      for (Node* d : n.dependents)
        best = std::max(best, depth(*d));
      return n.remaining_work = best + 1;
    };
    for (auto& [v, n] : m_nodes)
      depth(n);
  }

  bool stopped() const {
    return (m_error.has_value() && m_options.on_failure == OnFailure::stop) ||
           (m_options.cancel && m_options.cancel->requested());
  }

  Error stop_reason() const {
    if (m_options.cancel && m_options.cancel->requested())
      return cancel_error();
    return Error{"not built: the solve stopped at the first failure" +
                     (m_error ? " (" + m_error->message.substr(0, m_error->message.find('\n')) + ")"
                              : std::string()),
                 1};
  }

  // Which jobs need each vertex (a walk from each job's targets), and how
  // many vertices each job waits for.
  void assign_jobs(const std::vector<Vertex*>& targets) {
    size_t jobs = 1;
    for (size_t j : m_options.target_jobs)
      jobs = std::max(jobs, j + 1);
    m_job_left.assign(jobs, 0);
    m_job_state.assign(jobs, JobState::waiting);
    for (size_t i = 0; i < targets.size(); ++i) {
      size_t job = i < m_options.target_jobs.size() ? m_options.target_jobs[i] : 0;
      std::vector<Node*> stack{&m_nodes.at(targets[i])};
      while (!stack.empty()) {
        Node* n = stack.back();
        stack.pop_back();
        if (std::find(n->jobs.begin(), n->jobs.end(), job) != n->jobs.end())
          continue;
        n->jobs.insert(std::upper_bound(n->jobs.begin(), n->jobs.end(), job), job);
        ++m_job_left[job];
        for (Vertex* in : n->vertex->inputs)
          stack.push_back(&m_nodes.at(in));
      }
    }
    admit_jobs();
  }

  // Admits waiting jobs in order while the limit allows; a job with nothing
  // left to do finishes on the spot.
  void admit_jobs() {
    size_t limit = m_options.max_jobs ? m_options.max_jobs : m_job_state.size();
    for (; m_next_job < m_job_state.size() && m_active_jobs < limit; ++m_next_job) {
      if (m_job_left[m_next_job] == 0) {
        m_job_state[m_next_job] = JobState::finished;
        continue;
      }
      m_job_state[m_next_job] = JobState::admitted;
      ++m_active_jobs;
      for (auto it = m_parked.begin(); it != m_parked.end();) {
        if (admitted(**it)) {
          m_ready.push(*it);
          it = m_parked.erase(it);
        } else {
          ++it;
        }
      }
    }
  }

  bool admitted(const Node& n) const {
    return std::any_of(n.jobs.begin(), n.jobs.end(),
                       [&](size_t j) { return m_job_state[j] == JobState::admitted; });
  }

  void make_ready(Node& n) {
    if (admitted(n))
      m_ready.push(&n);
    else
      m_parked.push_back(&n);
  }

  // A vertex is done or given up: its jobs have one vertex less to wait for.
  void finish(Node& n) {
    ++m_done;
    for (size_t j : n.jobs)
      if (--m_job_left[j] == 0 && m_job_state[j] == JobState::admitted) {
        m_job_state[j] = JobState::finished;
        --m_active_jobs;
      }
    admit_jobs();
  }

  // `n` failed: it and everything that needs it are finished without a ref.
  void give_up(Node& failed, const Error& error) {
    std::vector<Node*> stack{&failed};
    failed.failure = error;
    finish(failed);
    while (!stack.empty()) {
      Node* n = stack.back();
      stack.pop_back();
      for (Node* d : n->dependents) {
        if (d->failure)
          continue;
        d->failure = error;
        finish(*d);
        stack.push_back(d);
      }
    }
  }

  void work() {
    for (;;) {
      Node* n = nullptr;
      {
        std::unique_lock lock(m_mutex);
        m_cv.wait(lock, [&] { return !m_ready.empty() || m_done == m_nodes.size() || stopped() ||
                                     (m_running == 0 && m_ready.empty()); });
        if (stopped() || m_ready.empty())
          return;
        n = m_ready.top();
        m_ready.pop();
        ++m_running;
      }
      auto outcome = process(*n);
      std::lock_guard lock(m_mutex);
      --m_running;
      if (!outcome) {
        if (!m_error)
          m_error = outcome.error();
        give_up(*n, outcome.error());
      } else {
        finish(*n);
        for (Node* d : n->dependents)
          if (--d->pending == 0 && !d->failure)
            make_ready(*d);
      }
      m_cv.notify_all();
    }
  }

  void emit(const VertexEvent& e) {
    if (m_options.progress)
      m_options.progress->vertex(e);
  }

  std::string input_keys(const Node& n) const {
    std::string out;
    for (Vertex* in : n.vertex->inputs)
      out += (out.empty() ? "" : " ") + m_nodes.at(in).cache_key.substr(7, 12);
    return out;
  }

  Result<void> process(Node& n) {
    const Op& op = *n.vertex->op;
    std::vector<Ref> inputs;
    KeyHasher key("xbuild-cache-v1");
    key.field("op", op.definition());
    for (Vertex* in : n.vertex->inputs) {
      const Node& input = m_nodes.at(in);
      inputs.push_back(*input.ref);
      key.field("input", input.cache_key);
    }
    VertexEvent ev{n.vertex->digest, op.display_name(), {}, Clock::now(), {}, false, {}};
    for (Vertex* in : n.vertex->inputs)
      ev.inputs.push_back(in->digest);
    RunContext ctx(n.vertex->digest, m_options.progress, m_options.cancel);
    auto content = op.content_key(inputs, ctx);
    if (!content)
      return report_failure(ev, content.error());
    key.field("content", *content);
    n.cache_key = key.finish();
    // `--debug` explains cache misses: the parts of the key, so two runs'
    // logs show which one changed.
    spdlog::debug("cache key {} for \"{}\": definition {} content {} inputs [{}]", n.cache_key,
                  op.display_name(), util::sha256_hex(op.definition()).substr(0, 12),
                  content->empty() ? "-" : content->substr(0, 19), input_keys(n));
    bool use_cache = op.cacheable() && !m_options.no_cache;
    if (use_cache) {
      auto hit = m_cache.lookup(n.cache_key);
      if (!hit)
        return report_failure(ev, hit.error());
      if (*hit) {
        n.ref = **hit;
        ev.cached = true;
        ev.completed = Clock::now();
        emit(ev);
        return {};
      }
    }
    if (auto prepared = op.prepare_inputs(inputs, ctx); !prepared)
      return report_failure(ev, prepared.error());
    emit(ev);
    auto ref = op.run(inputs, ctx);
    if (!ref)
      return report_failure(ev, ref.error());
    n.ref = *ref;
    {
      std::lock_guard lock(m_mutex);
      ++m_executed;
    }
    if (op.cacheable())
      TRY_VOID(m_cache.store(n.cache_key, *ref));
    ev.completed = Clock::now();
    emit(ev);
    return {};
  }

  Result<void> report_failure(VertexEvent ev, const Error& error) {
    ev.completed = Clock::now();
    ev.error = error.message;
    emit(ev);
    return fail("failed to solve: " + ev.name + ": " + error.message, error.exit_code);
  }

  CacheIndex& m_cache;
  const SolveOptions& m_options;
  std::unordered_map<Vertex*, Node> m_nodes;
  std::priority_queue<Node*, std::vector<Node*>, ByPriority> m_ready;
  std::vector<Node*> m_parked; // ready, but none of their jobs is admitted yet
  enum class JobState { waiting, admitted, finished };
  std::vector<JobState> m_job_state;
  std::vector<size_t> m_job_left; // vertices each job still waits for
  size_t m_next_job = 0;          // the first job never admitted
  size_t m_active_jobs = 0;
  std::mutex m_mutex;
  std::condition_variable m_cv;
  size_t m_running = 0;
  size_t m_done = 0; // vertices finished: built, cached or given up
  size_t m_executed = 0;
  std::optional<Error> m_error;
};

} // namespace

Result<SolveResult> solve(const std::vector<Vertex*>& targets, CacheIndex& cache,
                          const SolveOptions& options) {
  if (targets.empty())
    return SolveResult{};
  SolveOptions stop = options;
  stop.on_failure = OnFailure::stop;
  Run run(cache, stop);
  auto result = run.execute(targets);
  if (run.first_error())
    return tl::unexpected(*run.first_error());
  if (run.canceled())
    return tl::unexpected(run.cancel_error());
  result.failures.clear();
  return result;
}

Result<SolveResult> solve_partial(const std::vector<Vertex*>& targets, CacheIndex& cache,
                                  const SolveOptions& options) {
  if (targets.empty())
    return SolveResult{};
  Run run(cache, options);
  auto result = run.execute(targets);
  if (run.canceled())
    return tl::unexpected(run.cancel_error());
  return result;
}

} // namespace xbuild::engine::solver
