#pragma once
// The build graph: vertices are operations (pull an image, run a command,
// copy files), edges are the results they consume. Two identities, as in
// BuildKit:
//  - a vertex *digest* = hash(op definition, input digests). Adding an op
//    whose digest already exists returns the existing vertex, so a base stage
//    shared by 20 targets or two platforms is one vertex and runs once.
//  - a *cache key*, computed by the scheduler at run time from the digest
//    parts, the inputs' cache keys and the content the op reads
//    (Op::content_key), and looked up in the persistent cache.

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "util/cancel.hpp"
#include "util/error.hpp"

namespace xbuild::engine {
class ProgressSink;
}

namespace xbuild::engine::solver {

// What an op produces: an id the snapshot layer understands (a committed
// snapshot / chain id). Image-config changes are not ops; the front end
// carries them beside the graph.
struct Ref {
  std::string id;
  bool operator==(const Ref&) const = default;
};

// Given to a running op: where to report and when to stop.
class RunContext {
public:
  RunContext(std::string vertex, ProgressSink* sink, const util::CancelSource* cancel)
      : m_vertex(std::move(vertex)), m_sink(sink), m_cancel(cancel) {}
  void log(int stream, std::string data) const;
  bool canceled() const { return m_cancel && m_cancel->requested(); }
  const util::CancelSource* cancel_source() const { return m_cancel; }
  const std::string& vertex() const { return m_vertex; }
  ProgressSink* sink() const { return m_sink; }

private:
  std::string m_vertex;
  ProgressSink* m_sink;
  const util::CancelSource* m_cancel;
};

class Op {
public:
  virtual ~Op() = default;
  // Canonical text of everything that defines the op's effect, including
  // its platform. Equal definitions with equal inputs are the same work.
  virtual std::string definition() const = 0;
  // What makes two ops the same work within one build: the definition, plus
  // anything that is not part of the cache key but still tells ops apart
  // (which build context a COPY reads). Defaults to the definition.
  virtual std::string identity() const { return definition(); }
  // What progress shows: "[build 2/4] RUN make".
  virtual std::string display_name() const = 0;
  // Digest of the content this op reads from its inputs (COPY's files, a
  // bind mount's tree), computed once the inputs exist; "" when the op is
  // keyed by its definition alone. mtime must not be part of it.
  virtual Result<std::string> content_key(const std::vector<Ref>&, const RunContext&) const {
    return std::string();
  }
  // Called right before run() (never on a cache hit): an op that works on
  // its inputs' root filesystems makes sure they exist here (base-image
  // layers are extracted lazily, only when something runs on them).
  virtual Result<void> prepare_inputs(const std::vector<Ref>&, const RunContext&) const {
    return {};
  }
  virtual Result<Ref> run(const std::vector<Ref>& inputs, const RunContext& ctx) const = 0;
  // False for ops whose result must not be reused (--no-cache-filter stages).
  virtual bool cacheable() const { return true; }
};

// Invariant: `digest` is hash(op->definition(), inputs' digests in order);
// inputs point to vertices of the same Graph, which owns them.
struct Vertex {
  std::string digest;
  std::shared_ptr<const Op> op;
  std::vector<Vertex*> inputs;
};

class Graph {
public:
  // Returns the existing vertex when an identical one was added before.
  Vertex* add(std::shared_ptr<const Op> op, std::vector<Vertex*> inputs = {});
  size_t size() const;
  // One line per vertex in insertion order: digest prefix, name, inputs.
  std::string dump() const;

private:
  mutable std::mutex m_mutex;
  std::map<std::string, std::unique_ptr<Vertex>> m_by_digest;
  std::vector<Vertex*> m_order;
};

} // namespace xbuild::engine::solver
