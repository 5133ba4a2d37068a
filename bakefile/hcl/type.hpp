#pragma once
// Type constraints for variables (`type = list(string)`) and `convert()`, and
// the conversion rules of go-cty's convert package: primitives convert to
// and from strings ("1" -> 1, true -> "true"), collections convert element by
// element, sets drop duplicates, objects keep only the declared attributes.

#include <map>
#include <string>
#include <vector>

#include "bakefile/hcl/value.hpp"
#include "util/error.hpp"

namespace xbuild::bakefile::hcl {

struct Type {
  enum class Kind { any, string, number, boolean, list, set, map, tuple, object };
  Kind kind = Kind::any;
  std::vector<Type> elems;           // list/set/map: exactly one; tuple: one per element
  std::map<std::string, Type> attrs; // object: the declared attributes

  static Type any() { return Type{}; }
  static Type primitive(Kind k) { return Type{k, {}, {}}; }
  static Type collection(Kind k, Type elem) { return Type{k, {std::move(elem)}, {}}; }

  // HCL's spelling: "string", "list(string)", "object({a=number})".
  std::string to_string() const;
};

// Converts `v` to `t`; the error message is cty's wording, without position
// (the caller knows where the value came from).
Result<Value> convert(const Value& v, const Type& t);

// Shorthands used by operators and functions.
Result<std::string> to_string_value(const Value& v);
Result<Number> to_number_value(const Value& v);
Result<bool> to_bool_value(const Value& v);

} // namespace xbuild::bakefile::hcl
