#include "bakefile/hcl/type.hpp"

#include <algorithm>

namespace xbuild::bakefile::hcl {

std::string Type::to_string() const {
  switch (kind) {
  case Kind::any:
    return "any";
  case Kind::string:
    return "string";
  case Kind::number:
    return "number";
  case Kind::boolean:
    return "bool";
  case Kind::list:
    return "list(" + elems.at(0).to_string() + ")";
  case Kind::set:
    return "set(" + elems.at(0).to_string() + ")";
  case Kind::map:
    return "map(" + elems.at(0).to_string() + ")";
  case Kind::tuple: {
    std::string s = "tuple([";
    for (size_t i = 0; i < elems.size(); ++i)
      s += (i ? ", " : "") + elems[i].to_string();
    return s + "])";
  }
  case Kind::object: {
    std::string s = "object({";
    bool first = true;
    for (const auto& [k, t] : attrs) {
      s += (first ? "" : ", ") + k + "=" + t.to_string();
      first = false;
    }
    return s + "})";
  }
  }
  return "?";
}

Result<std::string> to_string_value(const Value& v) {
  switch (v.kind()) {
  case Kind::string:
    return v.as_string();
  case Kind::number:
    return v.as_number().to_string();
  case Kind::boolean:
    return std::string(v.as_bool() ? "true" : "false");
  case Kind::null:
    return fail("argument must not be null");
  default:
    return fail("string required, but have " + v.type_name());
  }
}

Result<Number> to_number_value(const Value& v) {
  if (v.is_number())
    return v.as_number();
  if (v.is_string()) {
    auto n = Number::parse(v.as_string());
    if (n)
      return *n;
    return fail("a number is required");
  }
  if (v.is_null())
    return fail("argument must not be null");
  return fail("number required, but have " + v.type_name());
}

Result<bool> to_bool_value(const Value& v) {
  if (v.is_bool())
    return v.as_bool();
  if (v.is_string()) {
    // cty accepts "1" and "0" as well as the keywords.
    const std::string& s = v.as_string();
    if (s == "true" || s == "1")
      return true;
    if (s == "false" || s == "0")
      return false;
    return fail("a bool is required");
  }
  if (v.is_null())
    return fail("argument must not be null");
  return fail("bool required, but have " + v.type_name());
}

namespace {

Result<Value> convert_elements(const Value& v, const Type& t) {
  if (!v.is_list())
    return fail(t.to_string() + " required, but have " + v.type_name());
  Value::List out;
  out.reserve(v.as_list().size());
  for (const Value& e : v.as_list())
    out.push_back(TRY(convert(e, t.elems.at(0))));
  if (t.kind == Type::Kind::set) {
    std::sort(out.begin(), out.end(), value_less);
    out.erase(std::unique(out.begin(), out.end()), out.end());
  }
  return Value::list(std::move(out));
}

Result<Value> convert_tuple(const Value& v, const Type& t) {
  if (!v.is_list())
    return fail(t.to_string() + " required, but have " + v.type_name());
  if (v.as_list().size() != t.elems.size())
    return fail("tuple required with " + std::to_string(t.elems.size()) + " elements, but have " +
                std::to_string(v.as_list().size()));
  Value::List out;
  for (size_t i = 0; i < t.elems.size(); ++i)
    out.push_back(TRY(convert(v.as_list()[i], t.elems[i])));
  return Value::list(std::move(out));
}

Result<Value> convert_map(const Value& v, const Type& t) {
  if (!v.is_object())
    return fail(t.to_string() + " required, but have " + v.type_name());
  Value::Object out;
  for (const auto& [k, e] : v.as_object())
    out.emplace(k, TRY(convert(e, t.elems.at(0))));
  return Value::object(std::move(out));
}

Result<Value> convert_object(const Value& v, const Type& t) {
  if (!v.is_object())
    return fail(t.to_string() + " required, but have " + v.type_name());
  Value::Object out;
  for (const auto& [k, at] : t.attrs) {
    auto it = v.as_object().find(k);
    if (it == v.as_object().end())
      return fail("attribute \"" + k + "\" is required");
    out.emplace(k, TRY(convert(it->second, at)));
  }
  return Value::object(std::move(out));
}

} // namespace

Result<Value> convert(const Value& v, const Type& t) {
  if (v.is_null() || t.kind == Type::Kind::any)
    return v;
  switch (t.kind) {
  case Type::Kind::any:
    return v;
  case Type::Kind::string:
    return Value::string(TRY(to_string_value(v)));
  case Type::Kind::number:
    return Value::number(TRY(to_number_value(v)));
  case Type::Kind::boolean:
    return Value::boolean(TRY(to_bool_value(v)));
  case Type::Kind::list:
  case Type::Kind::set:
    return convert_elements(v, t);
  case Type::Kind::map:
    return convert_map(v, t);
  case Type::Kind::tuple:
    return convert_tuple(v, t);
  case Type::Kind::object:
    return convert_object(v, t);
  }
  return v;
}

} // namespace xbuild::bakefile::hcl
