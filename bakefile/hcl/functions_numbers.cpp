// Number, comparison and boolean functions of cty's stdlib (number.go,
// bool.go, general.go). The operator forms (+, <, &&, ...) live in the
// evaluator; these are their function spellings plus math helpers.

#include <cmath>

#include "bakefile/hcl/function_args.hpp"
#include "bakefile/hcl/functions.hpp"

namespace xbuild::bakefile::hcl {

namespace {

using args::Args;

template <typename F>
void binary_number(FunctionTable& t, const char* name, F op) {
  args::add(t, name, 2, 2, [op](const Args& a) -> Result<Value> {
    return op(TRY(args::num(a, 0, "a")), TRY(args::num(a, 1, "b")));
  });
}

template <typename F>
void unary_double(FunctionTable& t, const char* name, F op) {
  args::add(t, name, 1, 1, [op](const Args& a) -> Result<Value> {
    Number n = TRY(args::num(a, 0, "num"));
    if (n.is_int())
      return Value::number(n); // floor/ceil of a whole number is itself
    return Value::number(Number::from_double(op(n.as_double())));
  });
}

Result<Value> parse_int(const std::string& s, int64_t base) {
  if (base < 2 || base > 62)
    return fail("invalid base: must be between 2 and 62 inclusive");
  auto bad = [&]() { return fail("cannot parse \"" + s + "\" as a base " + std::to_string(base) + " integer"); };
  size_t i = 0;
  bool neg = false;
  if (i < s.size() && (s[i] == '-' || s[i] == '+')) {
    neg = s[i] == '-';
    ++i;
  }
  if (i >= s.size())
    return bad();
  Number acc = Number::from_int(0);
  for (; i < s.size(); ++i) {
    char c = s[i];
    // Go's big.Int SetString: base <= 36 is case-insensitive; above, a-z
    // are 10..35 and A-Z 36..61.
    int d = c >= '0' && c <= '9'   ? c - '0'
            : c >= 'a' && c <= 'z' ? c - 'a' + 10
            : c >= 'A' && c <= 'Z' ? (base <= 36 ? c - 'A' + 10 : c - 'A' + 36)
                                   : 99;
    if (d >= base)
      return bad();
    acc = acc * Number::from_int(base) + Number::from_int(d);
  }
  return Value::number(neg ? -acc : acc);
}

void add_arithmetic(FunctionTable& t) {
  binary_number(t, "add", [](Number x, Number y) -> Result<Value> { return Value::number(x + y); });
  binary_number(t, "subtract", [](Number x, Number y) -> Result<Value> { return Value::number(x - y); });
  binary_number(t, "multiply", [](Number x, Number y) -> Result<Value> { return Value::number(x * y); });
  binary_number(t, "divide", [](Number x, Number y) -> Result<Value> {
    if (x.as_double() == 0 && y.as_double() == 0)
      return fail("can't divide zero by zero or infinity by infinity");
    return Value::number(x / y);
  });
  binary_number(t, "modulo", [](Number x, Number y) -> Result<Value> {
    if (y.as_double() == 0)
      return fail("can't use modulo with zero");
    return Value::number(x % y);
  });
  binary_number(t, "pow", [](Number x, Number y) -> Result<Value> {
    return Value::number(Number::from_double(std::pow(x.as_double(), y.as_double())));
  });
  binary_number(t, "log", [](Number x, Number y) -> Result<Value> {
    return Value::number(Number::from_double(std::log(x.as_double()) / std::log(y.as_double())));
  });
  args::add(t, "negate", 1, 1, [](const Args& a) -> Result<Value> {
    return Value::number(-TRY(args::num(a, 0, "num")));
  });
  args::add(t, "absolute", 1, 1, [](const Args& a) -> Result<Value> {
    Number n = TRY(args::num(a, 0, "num"));
    return Value::number(n < Number::from_int(0) ? -n : n);
  });
  args::add(t, "signum", 1, 1, [](const Args& a) -> Result<Value> {
    Number n = TRY(args::num(a, 0, "num"));
    Number zero = Number::from_int(0);
    return Value::number(n < zero ? -1 : zero < n ? 1 : 0);
  });
  args::add(t, "int", 1, 1, [](const Args& a) -> Result<Value> {
    Number n = TRY(args::num(a, 0, "num"));
    return Value::number(n.is_int() ? n : Number::from_double(std::trunc(n.as_double())));
  });
  unary_double(t, "ceil", [](double d) { return std::ceil(d); });
  unary_double(t, "floor", [](double d) { return std::floor(d); });
  args::add(t, "parseint", 2, 2, [](const Args& a) -> Result<Value> {
    return parse_int(TRY(args::str(a, 0, "number")), TRY(args::integer(a, 1, "base")));
  });
}

void add_min_max(FunctionTable& t) {
  for (bool want_max : {false, true}) {
    args::add(t, want_max ? "max" : "min", 1, Function::k_variadic,
              [want_max](const Args& a) -> Result<Value> {
                Number best = TRY(args::num(a, 0, "numbers"));
                for (size_t i = 1; i < a.size(); ++i) {
                  Number n = TRY(args::num(a, i, "numbers"));
                  if (want_max ? best < n : n < best)
                    best = n;
                }
                return Value::number(best);
              });
  }
}

void add_comparisons(FunctionTable& t) {
  binary_number(t, "greaterthan", [](Number x, Number y) -> Result<Value> { return Value::boolean(y < x); });
  binary_number(t, "greaterthanorequalto",
                [](Number x, Number y) -> Result<Value> { return Value::boolean(!(x < y)); });
  binary_number(t, "lessthan", [](Number x, Number y) -> Result<Value> { return Value::boolean(x < y); });
  binary_number(t, "lessthanorequalto",
                [](Number x, Number y) -> Result<Value> { return Value::boolean(!(y < x)); });
  args::add(t, "equal", 2, 2, [](const Args& a) -> Result<Value> { return Value::boolean(a[0] == a[1]); });
  args::add(t, "notequal", 2, 2, [](const Args& a) -> Result<Value> { return Value::boolean(a[0] != a[1]); });
}

void add_logic(FunctionTable& t) {
  args::add(t, "and", 2, 2, [](const Args& a) -> Result<Value> {
    bool x = TRY(args::boolean(a, 0, "a"));
    bool y = TRY(args::boolean(a, 1, "b"));
    return Value::boolean(x && y);
  });
  args::add(t, "or", 2, 2, [](const Args& a) -> Result<Value> {
    bool x = TRY(args::boolean(a, 0, "a"));
    bool y = TRY(args::boolean(a, 1, "b"));
    return Value::boolean(x || y);
  });
  args::add(t, "not", 1, 1, [](const Args& a) -> Result<Value> {
    return Value::boolean(!TRY(args::boolean(a, 0, "val")));
  });
}

} // namespace

void add_number_functions(FunctionTable& t) {
  add_arithmetic(t);
  add_min_max(t);
  add_comparisons(t);
  add_logic(t);
}

} // namespace xbuild::bakefile::hcl
