#pragma once
// A YAML document as plain data, for compose files: every node remembers
// where it came from so that errors can name the file and line. yaml-cpp
// stays inside compose_yaml.cpp.

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "bakefile/hcl/source.hpp"
#include "util/error.hpp"

namespace xbuild::bakefile::yaml {

struct Node {
  // Out of line: `entries` holds Nodes in pairs, which must not be
  // instantiated while Node is still incomplete (clang + libstdc++).
  Node();
  Node(const Node&);
  Node(Node&&) noexcept;
  Node& operator=(const Node&);
  Node& operator=(Node&&) noexcept;
  ~Node();

  enum class Kind { null, scalar, sequence, mapping };
  Kind kind = Kind::null;
  std::string value;                                 // scalar text (kind == scalar)
  bool quoted = false;                               // a quoted scalar: always a string
  std::vector<Node> items;                           // kind == sequence
  std::vector<std::pair<std::string, Node>> entries; // kind == mapping, in file order
  hcl::Range where;                                  // the node's position (file may be null)

  bool is_null() const { return kind == Kind::null; }
  bool is_scalar() const { return kind == Kind::scalar; }
  bool is_sequence() const { return kind == Kind::sequence; }
  bool is_mapping() const { return kind == Kind::mapping; }
  // The value of `key` in a mapping, or null when absent (or not a mapping).
  const Node* find(std::string_view key) const;
  Node* find(std::string_view key);
  // "mapping", "sequence", "string", "null": for error messages.
  std::string type_name() const;
};

// Parses the first document of `file` (which must outlive the result).
// Anchors and aliases are expanded and `<<` merge keys applied; a repeated
// key is an error. Errors name the file, line and column.
Result<Node> parse(const hcl::SourceFile& file);

// An error at `node`'s position: "file:line:col: message", the line, a caret.
tl::unexpected<Error> error_at(const Node& node, std::string_view message);

} // namespace xbuild::bakefile::yaml
