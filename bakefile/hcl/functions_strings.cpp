// String functions of cty's stdlib (string.go, string_replace.go, regexp.go).
// "Character" means a grapheme cluster, as in cty; see utf8.hpp for the
// approximation used. Regular expressions use RE2 syntax in cty; we run them
// on std::regex (ECMAScript) after translating RE2's named groups
// `(?P<name>...)` and a leading `(?i)`, which covers the patterns bake files
// use (tags, versions, refs).

#include <algorithm>
#include <regex>

#include "bakefile/hcl/function_args.hpp"
#include "bakefile/hcl/functions.hpp"
#include "bakefile/hcl/utf8.hpp"

namespace xbuild::bakefile::hcl {

namespace {

using args::Args;

// Case mapping for ASCII, Latin-1, Greek and Cyrillic; other scripts pass
// through unchanged.
uint32_t to_upper_cp(uint32_t c) {
  if ((c >= 'a' && c <= 'z') || (c >= 0xE0 && c <= 0xFE && c != 0xF7) ||
      (c >= 0x3B1 && c <= 0x3C9 && c != 0x3C2) || (c >= 0x430 && c <= 0x44F))
    return c >= 0x430 ? c - 0x20 : c - 0x20;
  if (c >= 0x450 && c <= 0x45F)
    return c - 0x50;
  return c;
}

uint32_t to_lower_cp(uint32_t c) {
  if ((c >= 'A' && c <= 'Z') || (c >= 0xC0 && c <= 0xDE && c != 0xD7) ||
      (c >= 0x391 && c <= 0x3A9 && c != 0x3A2) || (c >= 0x410 && c <= 0x42F))
    return c + 0x20;
  if (c >= 0x400 && c <= 0x40F)
    return c + 0x50;
  return c;
}

bool is_letter_or_digit(uint32_t c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
         c == '_' || to_upper_cp(c) != c || to_lower_cp(c) != c;
}

std::string map_case(const std::string& s, uint32_t (*f)(uint32_t)) {
  std::string out;
  for (uint32_t cp : utf8::decode(s))
    utf8::append(out, f(cp));
  return out;
}

// Go's strings.Title: upper-case a letter that follows a separator.
std::string title_case(const std::string& s) {
  std::string out;
  bool after_separator = true;
  for (uint32_t cp : utf8::decode(s)) {
    utf8::append(out, after_separator ? to_upper_cp(cp) : cp);
    after_separator = !is_letter_or_digit(cp);
  }
  return out;
}

bool is_space(uint32_t c) {
  return c == ' ' || (c >= '\t' && c <= '\r') || c == 0x85 || c == 0xA0 || c == 0x1680 ||
         (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029 || c == 0x202F ||
         c == 0x205F || c == 0x3000;
}

template <typename Pred>
std::string trim_cps(const std::string& s, Pred drop, bool left, bool right) {
  auto cps = utf8::decode(s);
  size_t b = 0, e = cps.size();
  while (left && b < e && drop(cps[b]))
    ++b;
  while (right && e > b && drop(cps[e - 1]))
    --e;
  return utf8::encode(cps, b, e);
}

std::vector<std::string> split_all(const std::string& s, const std::string& sep) {
  std::vector<std::string> out;
  if (sep.empty()) {
    for (uint32_t cp : utf8::decode(s))
      out.push_back(utf8::encode({cp}));
    return out;
  }
  size_t start = 0;
  while (true) {
    size_t pos = s.find(sep, start);
    if (pos == std::string::npos) {
      out.push_back(s.substr(start));
      return out;
    }
    out.push_back(s.substr(start, pos - start));
    start = pos + sep.size();
  }
}

std::string replace_all(const std::string& s, const std::string& from, const std::string& to) {
  if (from.empty()) // Go inserts `to` around every character
  {
    std::string out = to;
    for (uint32_t cp : utf8::decode(s)) {
      utf8::append(out, cp);
      out += to;
    }
    return out;
  }
  std::string out;
  size_t start = 0;
  for (size_t pos; (pos = s.find(from, start)) != std::string::npos; start = pos + from.size())
    out += s.substr(start, pos - start) + to;
  return out + s.substr(start);
}

struct CompiledRegex {
  std::regex re;
  std::vector<std::string> names; // per capture group; "" when unnamed
};

Result<CompiledRegex> compile_regex(const std::string& pattern) {
  std::string p = pattern;
  auto flags = std::regex::ECMAScript;
  if (p.rfind("(?i)", 0) == 0) {
    flags |= std::regex::icase;
    p.erase(0, 4);
  }
  CompiledRegex out;
  std::string translated;
  for (size_t i = 0; i < p.size(); ++i) {
    if (p[i] == '\\' && i + 1 < p.size()) {
      translated += p.substr(i, 2);
      ++i;
      continue;
    }
    if (p[i] == '(' && p.compare(i, 2, "(?") != 0) {
      out.names.emplace_back();
    } else if (p.compare(i, 4, "(?P<") == 0 || (p.compare(i, 3, "(?<") == 0 && i + 3 < p.size() &&
                                                 p[i + 3] != '=' && p[i + 3] != '!')) {
      size_t name_start = p.find('<', i) + 1;
      size_t close = p.find('>', name_start);
      if (close == std::string::npos)
        return fail("invalid regular expression pattern: unterminated group name");
      out.names.push_back(p.substr(name_start, close - name_start));
      translated += '(';
      i = close;
      continue;
    }
    translated += p[i];
  }
  try {
    out.re = std::regex(translated, flags);
  } catch (const std::regex_error& e) {
    return fail(std::string("invalid regular expression pattern: ") + e.what());
  }
  return out;
}

// The value regex() returns for one match: the whole match without
// groups, a list of captures, or an object of named captures.
Result<Value> match_value(const CompiledRegex& cr, const std::smatch& m) {
  if (cr.names.empty())
    return Value::string(m.str(0));
  bool named = !cr.names[0].empty();
  for (const std::string& n : cr.names)
    if (n.empty() == named)
      return fail("invalid regular expression pattern: can't mix both named and unnamed "
                  "capture groups");
  auto group = [&](size_t i) { return m[i].matched ? Value::string(m.str(i)) : Value(); };
  if (named) {
    Value::Object obj;
    for (size_t i = 0; i < cr.names.size(); ++i)
      obj[cr.names[i]] = group(i + 1);
    return Value::object(std::move(obj));
  }
  Value::List items;
  for (size_t i = 0; i < cr.names.size(); ++i)
    items.push_back(group(i + 1));
  return Value::list(std::move(items));
}

// Go's Regexp.Expand: $1, ${1}, $name, ${name}, $$.
std::string expand_template(const std::string& tmpl, const CompiledRegex& cr, const std::smatch& m) {
  std::string out;
  for (size_t i = 0; i < tmpl.size(); ++i) {
    if (tmpl[i] != '$' || i + 1 >= tmpl.size()) {
      out += tmpl[i];
      continue;
    }
    if (tmpl[i + 1] == '$') {
      out += '$';
      ++i;
      continue;
    }
    std::string name;
    size_t j = i + 1;
    if (tmpl[j] == '{') {
      size_t close = tmpl.find('}', j);
      if (close == std::string::npos) {
        out += tmpl[i];
        continue;
      }
      name = tmpl.substr(j + 1, close - j - 1);
      j = close + 1;
    } else {
      while (j < tmpl.size() && (std::isalnum(static_cast<unsigned char>(tmpl[j])) || tmpl[j] == '_'))
        name += tmpl[j++];
    }
    if (name.empty()) {
      out += tmpl[i];
      continue;
    }
    if (std::all_of(name.begin(), name.end(), [](char c) { return c >= '0' && c <= '9'; })) {
      size_t idx = std::stoul(name.substr(0, 6));
      if (idx < m.size())
        out += m.str(idx);
    } else {
      auto it = std::find(cr.names.begin(), cr.names.end(), name);
      if (it != cr.names.end())
        out += m.str(static_cast<size_t>(it - cr.names.begin()) + 1);
    }
    i = j - 1;
  }
  return out;
}

void add_case_and_trim(FunctionTable& t) {
  args::add(t, "lower", 1, 1, [](const Args& a) -> Result<Value> {
    return Value::string(map_case(TRY(args::str(a, 0, "str")), to_lower_cp));
  });
  args::add(t, "upper", 1, 1, [](const Args& a) -> Result<Value> {
    return Value::string(map_case(TRY(args::str(a, 0, "str")), to_upper_cp));
  });
  args::add(t, "title", 1, 1, [](const Args& a) -> Result<Value> {
    return Value::string(title_case(TRY(args::str(a, 0, "str"))));
  });
  args::add(t, "trimspace", 1, 1, [](const Args& a) -> Result<Value> {
    return Value::string(trim_cps(TRY(args::str(a, 0, "str")), is_space, true, true));
  });
  args::add(t, "trim", 2, 2, [](const Args& a) -> Result<Value> {
    auto cut = utf8::decode(TRY(args::str(a, 1, "cutset")));
    auto drop = [&](uint32_t c) { return std::find(cut.begin(), cut.end(), c) != cut.end(); };
    return Value::string(trim_cps(TRY(args::str(a, 0, "str")), drop, true, true));
  });
  args::add(t, "trimprefix", 2, 2, [](const Args& a) -> Result<Value> {
    std::string s = TRY(args::str(a, 0, "str"));
    std::string p = TRY(args::str(a, 1, "prefix"));
    return Value::string(s.rfind(p, 0) == 0 ? s.substr(p.size()) : s);
  });
  args::add(t, "trimsuffix", 2, 2, [](const Args& a) -> Result<Value> {
    std::string s = TRY(args::str(a, 0, "str"));
    std::string x = TRY(args::str(a, 1, "suffix"));
    bool has = s.size() >= x.size() && s.compare(s.size() - x.size(), x.size(), x) == 0;
    return Value::string(has ? s.substr(0, s.size() - x.size()) : s);
  });
  args::add(t, "chomp", 1, 1, [](const Args& a) -> Result<Value> {
    std::string s = TRY(args::str(a, 0, "str"));
    s.erase(s.find_last_not_of("\r\n") + 1);
    return Value::string(s);
  });
  args::add(t, "indent", 2, 2, [](const Args& a) -> Result<Value> {
    int64_t n = TRY(args::integer(a, 0, "spaces"));
    std::string s = TRY(args::str(a, 1, "str"));
    return Value::string(replace_all(s, "\n", "\n" + std::string(static_cast<size_t>(std::max<int64_t>(0, n)), ' ')));
  });
}

void add_split_join(FunctionTable& t) {
  args::add(t, "join", 2, Function::k_variadic, [](const Args& a) -> Result<Value> {
    std::string sep = TRY(args::str(a, 0, "separator"));
    std::string out;
    bool first = true;
    for (size_t i = 1; i < a.size(); ++i) {
      for (const Value& v : TRY(args::list(a, i, "lists"))) {
        if (v.is_null())
          return fail("element " + std::to_string(i) + " is null");
        out += (first ? "" : sep) + TRY(to_string_value(v));
        first = false;
      }
    }
    return Value::string(out);
  });
  args::add(t, "split", 2, 2, [](const Args& a) -> Result<Value> {
    std::string sep = TRY(args::str(a, 0, "separator"));
    Value::List out;
    for (std::string& s : split_all(TRY(args::str(a, 1, "str")), sep))
      out.push_back(Value::string(std::move(s)));
    return Value::list(std::move(out));
  });
  args::add(t, "replace", 3, 3, [](const Args& a) -> Result<Value> {
    return Value::string(replace_all(TRY(args::str(a, 0, "str")), TRY(args::str(a, 1, "substr")),
                                     TRY(args::str(a, 2, "replace"))));
  });
}

void add_characters(FunctionTable& t) {
  args::add(t, "strlen", 1, 1, [](const Args& a) -> Result<Value> {
    return Value::number(static_cast<int64_t>(utf8::graphemes(TRY(args::str(a, 0, "str"))).size()));
  });
  args::add(t, "reverse", 1, 1, [](const Args& a) -> Result<Value> {
    auto g = utf8::graphemes(TRY(args::str(a, 0, "str")));
    std::string out;
    for (auto it = g.rbegin(); it != g.rend(); ++it)
      out += *it;
    return Value::string(out);
  });
  args::add(t, "substr", 3, 3, [](const Args& a) -> Result<Value> {
    auto g = utf8::graphemes(TRY(args::str(a, 0, "str")));
    int64_t offset = TRY(args::integer(a, 1, "offset"));
    int64_t length = TRY(args::integer(a, 2, "length"));
    int64_t n = static_cast<int64_t>(g.size());
    if (offset < 0)
      offset = std::max<int64_t>(0, n + offset); // relative to the end (cty)
    if (offset >= n)
      return Value::string("");
    int64_t end = length < 0 ? n : std::min(n, offset + length);
    std::string out;
    for (int64_t i = offset; i < end; ++i)
      out += g[static_cast<size_t>(i)];
    return Value::string(out);
  });
}

void add_regex(FunctionTable& t) {
  args::add(t, "regex", 2, 2, [](const Args& a) -> Result<Value> {
    CompiledRegex cr = TRY(compile_regex(TRY(args::str(a, 0, "pattern"))));
    std::string s = TRY(args::str(a, 1, "string"));
    std::smatch m;
    if (!std::regex_search(s, m, cr.re))
      return fail("pattern did not match any part of the given string");
    return match_value(cr, m);
  });
  args::add(t, "regexall", 2, 2, [](const Args& a) -> Result<Value> {
    CompiledRegex cr = TRY(compile_regex(TRY(args::str(a, 0, "pattern"))));
    std::string s = TRY(args::str(a, 1, "string"));
    Value::List out;
    for (auto it = std::sregex_iterator(s.begin(), s.end(), cr.re); it != std::sregex_iterator(); ++it)
      out.push_back(TRY(match_value(cr, *it)));
    return Value::list(std::move(out));
  });
  args::add(t, "regex_replace", 3, 3, [](const Args& a) -> Result<Value> {
    std::string s = TRY(args::str(a, 0, "str"));
    CompiledRegex cr = TRY(compile_regex(TRY(args::str(a, 1, "substr"))));
    std::string repl = TRY(args::str(a, 2, "replace"));
    std::string out;
    auto last = s.cbegin();
    for (auto it = std::sregex_iterator(s.begin(), s.end(), cr.re); it != std::sregex_iterator(); ++it) {
      out.append(last, (*it)[0].first);
      out += expand_template(repl, cr, *it);
      last = (*it)[0].second;
    }
    out.append(last, s.cend());
    return Value::string(out);
  });
}

} // namespace

void add_string_functions(FunctionTable& t) {
  add_case_and_trim(t);
  add_split_join(t);
  add_characters(t);
  add_regex(t);
  add_format_functions(t);
}

} // namespace xbuild::bakefile::hcl
