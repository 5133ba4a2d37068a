#pragma once
// The value model of HCL expressions, after go-cty: null, bool, number,
// string, sequences (cty's tuple, list and set all evaluate to `list` here)
// and key/value collections (cty's object and map are `object`, keys sorted,
// as cty iterates them). Values are immutable; collections share storage, so
// copying a value is cheap.
//
// Numbers: cty numbers are arbitrary-precision decimals. We keep an exact
// int64 whenever the value is integral and fits (so 2^62 + 1 formats exactly),
// and a double otherwise, printed in the shortest fixed notation that reads
// back as the same double. cty computes fractions with 512-bit mantissas, so
// results like 1/3 differ after the 16th digit; bake files don't go there.

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include <nlohmann/json_fwd.hpp>

namespace xbuild::bakefile::hcl {

class Number {
public:
  Number() = default;
  static Number from_int(int64_t v);
  static Number from_double(double v); // normalises integral doubles to int
  // A decimal literal ("12", "-1.5", "1e3"); nullopt if not a number.
  static std::optional<Number> parse(std::string_view text);

  bool is_int() const { return m_is_int; }
  int64_t as_int() const { return m_int; }
  double as_double() const { return m_is_int ? static_cast<double>(m_int) : m_double; }
  bool is_integral() const; // true also for huge integral doubles
  std::string to_string() const;

  friend bool operator==(const Number& a, const Number& b);
  friend bool operator<(const Number& a, const Number& b);

private:
  bool m_is_int = true;
  int64_t m_int = 0;
  double m_double = 0;
};

Number operator+(const Number& a, const Number& b);
Number operator-(const Number& a, const Number& b);
Number operator*(const Number& a, const Number& b);
// Division and modulo by zero are errors in HCL; callers check first.
Number operator/(const Number& a, const Number& b);
Number operator%(const Number& a, const Number& b);
Number operator-(const Number& a);

enum class Kind { null, boolean, number, string, list, object };

class Value {
public:
  using List = std::vector<Value>;
  using Object = std::map<std::string, Value, std::less<>>;

  Value() = default; // null
  static Value null() { return Value(); }
  static Value boolean(bool b);
  static Value number(Number n);
  static Value number(int64_t n) { return number(Number::from_int(n)); }
  static Value string(std::string s);
  static Value list(List items);
  static Value object(Object attrs);

  Kind kind() const { return static_cast<Kind>(m_data.index()); }
  bool is_null() const { return kind() == Kind::null; }
  bool is_bool() const { return kind() == Kind::boolean; }
  bool is_number() const { return kind() == Kind::number; }
  bool is_string() const { return kind() == Kind::string; }
  bool is_list() const { return kind() == Kind::list; }
  bool is_object() const { return kind() == Kind::object; }

  // Accessors; calling one of the wrong kind is a programming error.
  bool as_bool() const { return std::get<bool>(m_data); }
  const Number& as_number() const { return std::get<Number>(m_data); }
  const std::string& as_string() const { return std::get<std::string>(m_data); }
  const List& as_list() const;
  const Object& as_object() const;

  // Structural equality, as HCL's `==`: kinds must match (1 != "1").
  friend bool operator==(const Value& a, const Value& b);
  friend bool operator!=(const Value& a, const Value& b) { return !(a == b); }

  nlohmann::json to_json() const;
  static Value from_json(const nlohmann::json& j);
  // "string", "number", "bool", "tuple", "object" or "null", for messages.
  std::string type_name() const;

private:
  std::variant<std::monostate, bool, Number, std::string, std::shared_ptr<const List>,
               std::shared_ptr<const Object>>
      m_data;
};

// Compact JSON text of `j`; invalid UTF-8 in strings becomes U+FFFD instead
// of throwing, since strings come from user files.
std::string json_text(const nlohmann::json& j);

// A total order used by sort() and set normalisation: by kind, then value.
bool value_less(const Value& a, const Value& b);

} // namespace xbuild::bakefile::hcl
