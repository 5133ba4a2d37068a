#include "engine/solver/graph.hpp"

#include "engine/progress.hpp"
#include "engine/solver/cache_key.hpp"

namespace xbuild::engine::solver {

void RunContext::log(int stream, std::string data) const {
  if (m_sink)
    m_sink->log(LogEvent{m_vertex, stream, std::move(data), Clock::now()});
}

Vertex* Graph::add(std::shared_ptr<const Op> op, std::vector<Vertex*> inputs) {
  KeyHasher h("xbuild-vertex-v1");
  h.field("op", op->identity());
  for (const Vertex* in : inputs)
    h.field("input", in->digest);
  std::string digest = h.finish();
  std::lock_guard lock(m_mutex);
  auto it = m_by_digest.find(digest);
  if (it != m_by_digest.end())
    return it->second.get();
  auto v = std::make_unique<Vertex>(Vertex{digest, std::move(op), std::move(inputs)});
  Vertex* raw = v.get();
  m_by_digest.emplace(digest, std::move(v));
  m_order.push_back(raw);
  return raw;
}

size_t Graph::size() const {
  std::lock_guard lock(m_mutex);
  return m_order.size();
}

std::string Graph::dump() const {
  std::lock_guard lock(m_mutex);
  std::string out;
  for (const Vertex* v : m_order) {
    out += v->digest.substr(7, 12) + " " + v->op->display_name();
    for (const Vertex* in : v->inputs)
      out += " <- " + in->digest.substr(7, 12);
    out += "\n";
  }
  return out;
}

} // namespace xbuild::engine::solver
