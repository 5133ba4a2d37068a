// format() and formatlist(): cty's printf. A verb is
//   % [flags] [ [argindex] ] [width] [.precision] verb
// with the verbs of cty's format.go: %v (%#v = JSON), %t, %b %d %o %x %X
// (whole numbers; %x/%X of a string is hex of its bytes), %e %E %f %g %G,
// %s, %q (a JSON-quoted string) and %%. Every argument must be used by some
// verb; unused arguments are an error, as in cty.

#include <charconv>
#include <cmath>
#include <cstdio>

#include <nlohmann/json.hpp>

#include "bakefile/hcl/function_args.hpp"
#include "bakefile/hcl/functions.hpp"
#include "bakefile/hcl/utf8.hpp"

namespace xbuild::bakefile::hcl {

namespace {

struct Spec {
  bool plus = false, minus = false, sharp = false, space = false, zero = false;
  int width = -1;
  int precision = -1;
  char verb = 0;
};

std::string pad(std::string s, const Spec& spec, bool numeric) {
  size_t len = utf8::decode(s).size();
  if (spec.width < 0 || len >= static_cast<size_t>(spec.width))
    return s;
  size_t n = static_cast<size_t>(spec.width) - len;
  if (spec.minus)
    return s + std::string(n, ' ');
  if (spec.zero && numeric) {
    size_t sign = (!s.empty() && (s[0] == '-' || s[0] == '+' || s[0] == ' ')) ? 1 : 0;
    return s.substr(0, sign) + std::string(n, '0') + s.substr(sign);
  }
  return std::string(n, ' ') + s;
}

std::string sign_prefix(bool negative, const Spec& spec) {
  if (negative)
    return "-";
  if (spec.plus)
    return "+";
  return spec.space ? " " : "";
}

Result<std::string> format_integer(const Value& v, const Spec& spec) {
  Number n = TRY(to_number_value(v));
  if (!n.is_int())
    return fail("value must be a whole number");
  int64_t i = n.as_int();
  uint64_t mag = i < 0 ? uint64_t(0) - static_cast<uint64_t>(i) : static_cast<uint64_t>(i);
  int base = spec.verb == 'b' ? 2 : spec.verb == 'o' ? 8 : (spec.verb == 'x' || spec.verb == 'X') ? 16 : 10;
  char buf[70];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, mag, base);
  std::string digits(buf, end);
  if (spec.verb == 'X')
    for (char& c : digits)
      c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  std::string prefix;
  if (spec.sharp)
    prefix = base == 16 ? (spec.verb == 'X' ? "0X" : "0x") : base == 8 ? "0" : base == 2 ? "0b" : "";
  return pad(sign_prefix(i < 0, spec) + prefix + digits, spec, true);
}

Result<std::string> format_float(const Value& v, const Spec& spec) {
  Number n = TRY(to_number_value(v));
  double d = n.as_double();
  if (spec.verb == 'g' && spec.precision < 0 && n.is_int())
    return pad(sign_prefix(d < 0, spec) + Number::from_int(std::llabs(n.as_int())).to_string(),
               spec, true);
  std::string fmt = "%";
  if (spec.plus)
    fmt += '+';
  if (spec.space)
    fmt += ' ';
  if (spec.sharp)
    fmt += '#';
  if (spec.precision >= 0)
    fmt += "." + std::to_string(spec.precision);
  fmt += spec.verb;
  char buf[512];
  std::snprintf(buf, sizeof buf, fmt.c_str(), d);
  return pad(buf, spec, true);
}

Result<std::string> format_string_verb(const Value& v, const Spec& spec) {
  std::string s = TRY(to_string_value(v));
  if (spec.verb == 'q')
    return pad(json_text(nlohmann::json(s)), spec, false);
  if (spec.verb == 'x' || spec.verb == 'X') {
    static const char* k_lower = "0123456789abcdef";
    static const char* k_upper = "0123456789ABCDEF";
    const char* digits = spec.verb == 'x' ? k_lower : k_upper;
    std::string out;
    for (unsigned char c : s) {
      out += digits[c >> 4];
      out += digits[c & 15];
    }
    return pad(out, spec, false);
  }
  if (spec.precision >= 0) {
    auto cps = utf8::decode(s);
    s = utf8::encode(cps, 0, static_cast<size_t>(spec.precision));
  }
  return pad(s, spec, false);
}

Result<std::string> format_value(const Value& v, const Spec& spec) {
  if (v.is_null() && spec.verb != 'v')
    return fail("null value cannot be formatted");
  switch (spec.verb) {
  case 'v':
    if (spec.sharp || v.is_list() || v.is_object() || v.is_null())
      return pad(json_text(v.to_json()), spec, false);
    return pad(TRY(to_string_value(v)), spec, v.is_number());
  case 't':
    return pad(TRY(to_bool_value(v)) ? "true" : "false", spec, false);
  case 'b':
  case 'd':
  case 'o':
    return format_integer(v, spec);
  case 'x':
  case 'X':
    if (v.is_string() && !Number::parse(v.as_string()))
      return format_string_verb(v, spec);
    return format_integer(v, spec);
  case 'e':
  case 'E':
  case 'f':
  case 'g':
  case 'G':
    return format_float(v, spec);
  case 's':
  case 'q':
    return format_string_verb(v, spec);
  default:
    return fail(std::string("unrecognized format verb '") + spec.verb + "'");
  }
}

// Reads "[n]" at fmt[i], setting the next argument index (1-based in text).
bool read_arg_index(const std::string& fmt, size_t& i, size_t& next_arg) {
  if (i >= fmt.size() || fmt[i] != '[')
    return true;
  size_t close = fmt.find(']', i);
  if (close == std::string::npos)
    return false;
  int n = 0;
  auto [p, ec] = std::from_chars(fmt.data() + i + 1, fmt.data() + close, n);
  if (ec != std::errc() || p != fmt.data() + close || n < 1)
    return false;
  next_arg = static_cast<size_t>(n - 1);
  i = close + 1;
  return true;
}

int read_number(const std::string& fmt, size_t& i) {
  if (i >= fmt.size() || !std::isdigit(static_cast<unsigned char>(fmt[i])))
    return -1;
  int n = 0;
  while (i < fmt.size() && std::isdigit(static_cast<unsigned char>(fmt[i])) && n < 100000)
    n = n * 10 + (fmt[i++] - '0');
  return n;
}

Result<Spec> read_spec(const std::string& fmt, size_t& i, size_t& next_arg) {
  Spec spec;
  for (; i < fmt.size(); ++i) {
    char c = fmt[i];
    if (c == '+')
      spec.plus = true;
    else if (c == '-')
      spec.minus = true;
    else if (c == '#')
      spec.sharp = true;
    else if (c == ' ')
      spec.space = true;
    else if (c == '0')
      spec.zero = true;
    else
      break;
  }
  if (!read_arg_index(fmt, i, next_arg))
    return fail("invalid argument index in format string");
  spec.width = read_number(fmt, i);
  if (i < fmt.size() && fmt[i] == '.') {
    ++i;
    spec.precision = std::max(0, read_number(fmt, i));
  }
  if (!read_arg_index(fmt, i, next_arg))
    return fail("invalid argument index in format string");
  if (i >= fmt.size())
    return fail("invalid format string starting at offset " + std::to_string(i));
  spec.verb = fmt[i++];
  return spec;
}

} // namespace

Result<std::string> format_values(const std::string& fmt, const std::vector<Value>& values) {
  std::string out;
  size_t next_arg = 0;
  std::vector<bool> used(values.size(), false);
  for (size_t i = 0; i < fmt.size();) {
    if (fmt[i] != '%') {
      out += fmt[i++];
      continue;
    }
    ++i;
    if (i < fmt.size() && fmt[i] == '%') {
      out += '%';
      ++i;
      continue;
    }
    Spec spec = TRY(read_spec(fmt, i, next_arg));
    if (next_arg >= values.size())
      return fail(std::string("not enough arguments for \"%") + spec.verb + "\" at " +
                  std::to_string(i - 1) + ": need index " + std::to_string(next_arg + 1) +
                  " but have " + std::to_string(values.size()) + " total");
    auto s = format_value(values[next_arg], spec);
    if (!s)
      return fail(std::string("unsupported value for \"%") + spec.verb + "\" at " +
                  std::to_string(i - 1) + ": " + s.error().message);
    out += *s;
    used[next_arg++] = true;
  }
  for (bool u : used)
    if (!u)
      return fail("too many arguments; no verbs left to use");
  return out;
}

void add_format_functions(FunctionTable& t) {
  args::add(t, "format", 1, Function::k_variadic, [](const args::Args& a) -> Result<Value> {
    std::string fmt = TRY(args::str(a, 0, "format"));
    return Value::string(TRY(format_values(fmt, std::vector<Value>(a.begin() + 1, a.end()))));
  });
  // formatlist: list arguments are iterated in step; others repeat.
  args::add(t, "formatlist", 1, Function::k_variadic, [](const args::Args& a) -> Result<Value> {
    std::string fmt = TRY(args::str(a, 0, "format"));
    size_t n = std::string::npos;
    for (size_t i = 1; i < a.size(); ++i) {
      if (!a[i].is_list())
        continue;
      if (n != std::string::npos && a[i].as_list().size() != n)
        return fail("argument " + std::to_string(i) + " has length " +
                    std::to_string(a[i].as_list().size()) + ", which is inconsistent with " +
                    "argument 1 of length " + std::to_string(n));
      n = a[i].as_list().size();
    }
    if (n == std::string::npos)
      n = 1;
    Value::List out;
    for (size_t row = 0; row < n; ++row) {
      std::vector<Value> values;
      for (size_t i = 1; i < a.size(); ++i)
        values.push_back(a[i].is_list() ? a[i].as_list()[row] : a[i]);
      out.push_back(Value::string(TRY(format_values(fmt, values))));
    }
    return Value::list(std::move(out));
  });
}

} // namespace xbuild::bakefile::hcl
