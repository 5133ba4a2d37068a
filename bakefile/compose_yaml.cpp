// yaml-cpp's document → our plain Node tree. yaml-cpp resolves anchors and
// aliases itself (as shared nodes, which we copy); it does not know `<<`
// merge keys, which compose files use for shared fragments, so they are
// applied here: explicit keys of the mapping win over merged ones, and
// earlier merge sources win over later ones (YAML 1.1 merge rules).

#include "bakefile/compose_yaml.hpp"

#include <yaml-cpp/yaml.h>

namespace xbuild::bakefile::yaml {

namespace {

constexpr int k_max_depth = 200; // guards against alias cycles

hcl::Range range_of(const hcl::SourceFile& file, const YAML::Mark& m) {
  hcl::Range r;
  r.file = &file;
  if (m.is_null())
    return r;
  r.begin.line = static_cast<uint32_t>(m.line + 1);
  r.begin.column = static_cast<uint32_t>(m.column + 1);
  r.begin.offset = static_cast<uint32_t>(m.pos);
  r.end = r.begin;
  return r;
}

class Converter {
public:
  explicit Converter(const hcl::SourceFile& file) : m_file(file) {}

  Result<Node> convert(const YAML::Node& y, int depth) {
    Node n;
    n.where = range_of(m_file, y.Mark());
    if (depth > k_max_depth)
      return error_at(n, "YAML nesting too deep (an alias cycle?)");
    switch (y.Type()) {
    case YAML::NodeType::Undefined:
    case YAML::NodeType::Null:
      n.kind = Node::Kind::null;
      return n;
    case YAML::NodeType::Scalar:
      n.kind = Node::Kind::scalar;
      n.value = y.Scalar();
      n.quoted = y.Tag() == "!";
      return n;
    case YAML::NodeType::Sequence:
      n.kind = Node::Kind::sequence;
      for (const YAML::Node& item : y)
        n.items.push_back(TRY(convert(item, depth + 1)));
      return n;
    case YAML::NodeType::Map:
      n.kind = Node::Kind::mapping;
      TRY_VOID(convert_mapping(y, n, depth));
      return n;
    }
    return n;
  }

private:
  const hcl::SourceFile& m_file;

  Result<void> convert_mapping(const YAML::Node& y, Node& n, int depth) {
    std::vector<Node> merges;
    std::vector<uint32_t> key_lines; // per entry, for "already defined at line N"
    for (auto it = y.begin(); it != y.end(); ++it) {
      Node key = TRY(convert(it->first, depth + 1));
      if (!key.is_scalar())
        return error_at(key, "a mapping key must be a string, not a " + key.type_name());
      Node value = TRY(convert(it->second, depth + 1));
      if (key.value == "<<" && !key.quoted) {
        merges.push_back(std::move(value));
        continue;
      }
      for (size_t i = 0; i < n.entries.size(); ++i)
        if (n.entries[i].first == key.value)
          return error_at(key, "mapping key \"" + key.value + "\" already defined at line " +
                                   std::to_string(key_lines[i]));
      n.entries.emplace_back(key.value, std::move(value));
      key_lines.push_back(key.where.begin.line);
    }
    for (const Node& m : merges) {
      std::vector<const Node*> sources;
      if (m.is_mapping())
        sources.push_back(&m);
      else if (m.is_sequence())
        for (const Node& s : m.items)
          sources.push_back(&s);
      for (const Node* s : sources) {
        if (!s->is_mapping())
          return error_at(*s, "a << merge key needs a mapping or a list of mappings");
        for (const auto& [k, v] : s->entries)
          if (n.find(k) == nullptr)
            n.entries.emplace_back(k, v);
      }
    }
    return {};
  }
};

} // namespace

Node::Node() = default;
Node::Node(const Node&) = default;
Node::Node(Node&&) noexcept = default;
Node& Node::operator=(const Node&) = default;
Node& Node::operator=(Node&&) noexcept = default;
Node::~Node() = default;

const Node* Node::find(std::string_view key) const {
  if (kind != Kind::mapping)
    return nullptr;
  for (const auto& [k, v] : entries)
    if (k == key)
      return &v;
  return nullptr;
}

Node* Node::find(std::string_view key) {
  return const_cast<Node*>(static_cast<const Node*>(this)->find(key));
}

std::string Node::type_name() const {
  switch (kind) {
  case Kind::null:
    return "null";
  case Kind::scalar:
    return "string";
  case Kind::sequence:
    return "list";
  case Kind::mapping:
    return "mapping";
  }
  return "value";
}

tl::unexpected<Error> error_at(const Node& node, std::string_view message) {
  return tl::unexpected(hcl::make_error(node.where, message));
}

Result<Node> parse(const hcl::SourceFile& file) {
  YAML::Node doc;
  try {
    doc = YAML::Load(file.text);
  } catch (const YAML::Exception& e) {
    return tl::unexpected(hcl::make_error(range_of(file, e.mark), "invalid YAML: " + e.msg));
  }
  try {
    return Converter(file).convert(doc, 0);
  } catch (const YAML::Exception& e) {
    return tl::unexpected(hcl::make_error(range_of(file, e.mark), "invalid YAML: " + e.msg));
  }
}

} // namespace xbuild::bakefile::yaml
