#pragma once
// Argument helpers shared by the function library: fetch argument `i`
// converted as cty would convert it for a parameter of that type, with an
// error naming the parameter, as cty's "Invalid value for "str" parameter".

#include <string>
#include <vector>

#include "bakefile/hcl/evaluator.hpp"
#include "bakefile/hcl/type.hpp"

namespace xbuild::bakefile::hcl::args {

using Args = std::vector<Value>;

inline Error param_error(const char* param, const Error& e) {
  return Error{"invalid value for \"" + std::string(param) + "\" parameter: " + e.message, 1};
}

inline Result<std::string> str(const Args& a, size_t i, const char* param) {
  auto s = to_string_value(a.at(i));
  if (!s)
    return tl::unexpected(param_error(param, s.error()));
  return s;
}

inline Result<Number> num(const Args& a, size_t i, const char* param) {
  auto n = to_number_value(a.at(i));
  if (!n)
    return tl::unexpected(param_error(param, n.error()));
  return n;
}

// A whole number argument (indexes, counts, sizes).
inline Result<int64_t> integer(const Args& a, size_t i, const char* param) {
  Number n = TRY(num(a, i, param));
  if (!n.is_int())
    return fail("invalid value for \"" + std::string(param) + "\" parameter: a whole number "
                "is required");
  return n.as_int();
}

inline Result<bool> boolean(const Args& a, size_t i, const char* param) {
  auto b = to_bool_value(a.at(i));
  if (!b)
    return tl::unexpected(param_error(param, b.error()));
  return b;
}

inline Result<Value::List> list(const Args& a, size_t i, const char* param) {
  const Value& v = a.at(i);
  if (v.is_null())
    return fail("invalid value for \"" + std::string(param) + "\" parameter: argument must not "
                "be null");
  if (!v.is_list())
    return fail("invalid value for \"" + std::string(param) + "\" parameter: list of any "
                "single type required, but have " + v.type_name());
  return v.as_list();
}

inline Result<Value::Object> object(const Args& a, size_t i, const char* param) {
  const Value& v = a.at(i);
  if (v.is_null())
    return fail("invalid value for \"" + std::string(param) + "\" parameter: argument must not "
                "be null");
  if (!v.is_object())
    return fail("invalid value for \"" + std::string(param) + "\" parameter: map or object "
                "required, but have " + v.type_name());
  return v.as_object();
}

inline Result<std::vector<std::string>> string_list(const Args& a, size_t i, const char* param) {
  std::vector<std::string> out;
  for (const Value& v : TRY(list(a, i, param))) {
    auto s = to_string_value(v);
    if (!s)
      return tl::unexpected(param_error(param, s.error()));
    out.push_back(std::move(*s));
  }
  return out;
}

// Registers `impl` under `name` taking [min, max] arguments.
template <typename F>
void add(FunctionTable& t, const char* name, size_t min, size_t max, F impl) {
  t[name] = Function{min, max, std::move(impl)};
}

} // namespace xbuild::bakefile::hcl::args
