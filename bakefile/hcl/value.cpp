#include "bakefile/hcl/value.hpp"

#include <charconv>
#include <cmath>
#include <limits>

#include <nlohmann/json.hpp>

namespace xbuild::bakefile::hcl {

namespace {

constexpr double k_int_limit = 9223372036854775808.0; // 2^63

bool fits_int(double d) {
  return std::isfinite(d) && d == std::floor(d) && d >= -k_int_limit && d < k_int_limit;
}

} // namespace

Number Number::from_int(int64_t v) {
  Number n;
  n.m_int = v;
  return n;
}

Number Number::from_double(double v) {
  if (fits_int(v))
    return from_int(static_cast<int64_t>(v));
  Number n;
  n.m_is_int = false;
  n.m_double = v;
  return n;
}

std::optional<Number> Number::parse(std::string_view text) {
  if (text.empty())
    return std::nullopt;
  const char* first = text.data();
  const char* last = text.data() + text.size();
  if (*first == '+')
    ++first;
  int64_t i = 0;
  auto [ip, iec] = std::from_chars(first, last, i);
  if (iec == std::errc() && ip == last)
    return from_int(i);
  double d = 0;
  auto [dp, dec] = std::from_chars(first, last, d);
  if (dec != std::errc() || dp != last || !std::isfinite(d))
    return std::nullopt;
  return from_double(d);
}

bool Number::is_integral() const {
  return m_is_int || (std::isfinite(m_double) && m_double == std::floor(m_double));
}

std::string Number::to_string() const {
  if (m_is_int)
    return std::to_string(m_int);
  if (std::isnan(m_double))
    return "NaN";
  if (std::isinf(m_double))
    return m_double > 0 ? "+Inf" : "-Inf";
  // Fixed notation with the fewest digits that read back as the same
  // double: what cty's big.Float Text('f', -1) prints for a value that came
  // from a float64 (a literal, or math.Log, math.Pow... in cty's functions).
  char buf[400];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, m_double, std::chars_format::fixed);
  if (ec != std::errc())
    return "NaN";
  return std::string(buf, end);
}

bool operator==(const Number& a, const Number& b) {
  if (a.m_is_int && b.m_is_int)
    return a.m_int == b.m_int;
  return a.as_double() == b.as_double();
}

bool operator<(const Number& a, const Number& b) {
  if (a.is_int() && b.is_int())
    return a.as_int() < b.as_int();
  return a.as_double() < b.as_double();
}

Number operator+(const Number& a, const Number& b) {
  int64_t r = 0;
  if (a.is_int() && b.is_int() && !__builtin_add_overflow(a.as_int(), b.as_int(), &r))
    return Number::from_int(r);
  return Number::from_double(a.as_double() + b.as_double());
}

Number operator-(const Number& a, const Number& b) {
  int64_t r = 0;
  if (a.is_int() && b.is_int() && !__builtin_sub_overflow(a.as_int(), b.as_int(), &r))
    return Number::from_int(r);
  return Number::from_double(a.as_double() - b.as_double());
}

Number operator*(const Number& a, const Number& b) {
  int64_t r = 0;
  if (a.is_int() && b.is_int() && !__builtin_mul_overflow(a.as_int(), b.as_int(), &r))
    return Number::from_int(r);
  return Number::from_double(a.as_double() * b.as_double());
}

Number operator/(const Number& a, const Number& b) {
  if (a.is_int() && b.is_int() && b.as_int() != 0 && b.as_int() != -1 &&
      a.as_int() % b.as_int() == 0)
    return Number::from_int(a.as_int() / b.as_int());
  return Number::from_double(a.as_double() / b.as_double());
}

Number operator%(const Number& a, const Number& b) {
  // Go's % truncates toward zero, as C++'s does; cty follows it.
  if (a.is_int() && b.is_int() && b.as_int() != 0 && b.as_int() != -1)
    return Number::from_int(a.as_int() % b.as_int());
  if (a.is_int() && b.is_int() && b.as_int() == -1)
    return Number::from_int(0);
  return Number::from_double(std::fmod(a.as_double(), b.as_double()));
}

Number operator-(const Number& a) {
  if (a.is_int() && a.as_int() != std::numeric_limits<int64_t>::min())
    return Number::from_int(-a.as_int());
  return Number::from_double(-a.as_double());
}

Value Value::boolean(bool b) {
  Value v;
  v.m_data = b;
  return v;
}

Value Value::number(Number n) {
  Value v;
  v.m_data = n;
  return v;
}

Value Value::string(std::string s) {
  Value v;
  v.m_data = std::move(s);
  return v;
}

Value Value::list(List items) {
  Value v;
  v.m_data = std::make_shared<const List>(std::move(items));
  return v;
}

Value Value::object(Object attrs) {
  Value v;
  v.m_data = std::make_shared<const Object>(std::move(attrs));
  return v;
}

const Value::List& Value::as_list() const {
  return *std::get<std::shared_ptr<const List>>(m_data);
}

const Value::Object& Value::as_object() const {
  return *std::get<std::shared_ptr<const Object>>(m_data);
}

bool operator==(const Value& a, const Value& b) {
  if (a.kind() != b.kind())
    return false;
  switch (a.kind()) {
  case Kind::null:
    return true;
  case Kind::boolean:
    return a.as_bool() == b.as_bool();
  case Kind::number:
    return a.as_number() == b.as_number();
  case Kind::string:
    return a.as_string() == b.as_string();
  case Kind::list:
    return a.as_list() == b.as_list();
  case Kind::object:
    return a.as_object() == b.as_object();
  }
  return false;
}

nlohmann::json Value::to_json() const {
  switch (kind()) {
  case Kind::null:
    return nullptr;
  case Kind::boolean:
    return as_bool();
  case Kind::number:
    if (as_number().is_int())
      return as_number().as_int();
    return as_number().as_double();
  case Kind::string:
    return as_string();
  case Kind::list: {
    nlohmann::json arr = nlohmann::json::array();
    for (const Value& v : as_list())
      arr.push_back(v.to_json());
    return arr;
  }
  case Kind::object: {
    nlohmann::json obj = nlohmann::json::object();
    for (const auto& [k, v] : as_object())
      obj[k] = v.to_json();
    return obj;
  }
  }
  return nullptr;
}

Value Value::from_json(const nlohmann::json& j) {
  if (j.is_null())
    return Value();
  if (j.is_boolean())
    return boolean(j.get<bool>());
  if (j.is_number_integer()) {
    if (j.is_number_unsigned() && j.get<uint64_t>() > uint64_t(INT64_MAX))
      return number(Number::from_double(static_cast<double>(j.get<uint64_t>())));
    return number(Number::from_int(j.get<int64_t>()));
  }
  if (j.is_number())
    return number(Number::from_double(j.get<double>()));
  if (j.is_string())
    return string(j.get<std::string>());
  if (j.is_array()) {
    List items;
    for (const auto& e : j)
      items.push_back(from_json(e));
    return list(std::move(items));
  }
  Object attrs;
  for (const auto& [k, e] : j.items())
    attrs.emplace(k, from_json(e));
  return object(std::move(attrs));
}

std::string Value::type_name() const {
  switch (kind()) {
  case Kind::null:
    return "null";
  case Kind::boolean:
    return "bool";
  case Kind::number:
    return "number";
  case Kind::string:
    return "string";
  case Kind::list:
    return "tuple";
  case Kind::object:
    return "object";
  }
  return "?";
}

std::string json_text(const nlohmann::json& j) {
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

bool value_less(const Value& a, const Value& b) {
  if (a.kind() != b.kind())
    return a.kind() < b.kind();
  switch (a.kind()) {
  case Kind::null:
    return false;
  case Kind::boolean:
    return a.as_bool() < b.as_bool();
  case Kind::number:
    return a.as_number() < b.as_number();
  case Kind::string:
    return a.as_string() < b.as_string();
  case Kind::list:
    return std::lexicographical_compare(a.as_list().begin(), a.as_list().end(),
                                        b.as_list().begin(), b.as_list().end(), value_less);
  case Kind::object:
    return json_text(a.to_json()) < json_text(b.to_json());
  }
  return false;
}

} // namespace xbuild::bakefile::hcl
