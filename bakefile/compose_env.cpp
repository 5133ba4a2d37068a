// Compose variable interpolation and dotenv files, after the rules of
// compose-go's template and dotenv packages (facts, not code).
//
// Interpolation is a single left-to-right scan: `$` starts a substitution,
// whose braced form is found by counting nested braces so that a default
// may itself hold substitutions (`${A:-${B}}`); the default is then
// interpolated recursively, and only when it is used.

#include "bakefile/compose_env.hpp"

#include <cctype>

namespace xbuild::bakefile {

namespace {

bool name_start(char c) { return std::isalpha(static_cast<unsigned char>(c)) || c == '_'; }
bool name_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

// The end of a `${...}` started at `open` (the index of '{'): the index of
// its matching '}', or npos.
size_t matching_brace(std::string_view s, size_t open) {
  int depth = 0;
  for (size_t i = open; i < s.size(); ++i) {
    if (s[i] == '{')
      ++depth;
    else if (s[i] == '}' && --depth == 0)
      return i;
  }
  return std::string_view::npos;
}

Result<std::string> substitute_braced(std::string_view body, std::string_view whole,
                                      const EnvLookup& lookup, std::vector<std::string>* unset) {
  size_t n = 0;
  while (n < body.size() && name_char(body[n]))
    ++n;
  std::string name(body.substr(0, n));
  if (name.empty() || !name_start(name[0]))
    return fail("invalid interpolation format for \"" + std::string(whole) + "\"");
  std::optional<std::string> value = lookup(name);
  std::string_view rest = body.substr(n);
  if (rest.empty()) {
    if (!value && unset)
      unset->push_back(name);
    return value.value_or("");
  }
  bool colon = rest[0] == ':';
  if (colon)
    rest.remove_prefix(1);
  if (rest.empty())
    return fail("invalid interpolation format for \"" + std::string(whole) + "\"");
  char op = rest[0];
  std::string_view arg = rest.substr(1);
  bool present = value.has_value() && (!colon || !value->empty());
  switch (op) {
  case '-':
    if (present)
      return *value;
    return interpolate(arg, lookup, unset);
  case '?':
    if (present)
      return *value;
    return fail("required variable " + name + " is missing a value" +
                (arg.empty() ? std::string() : ": " + TRY(interpolate(arg, lookup, unset))));
  case '+':
    if (present)
      return interpolate(arg, lookup, unset);
    return std::string();
  default:
    return fail("invalid interpolation format for \"" + std::string(whole) + "\"");
  }
}

// Dotenv: one value after `KEY=`, starting at `i`; advances `i` past it
// (and past its line end).
Result<std::string> dotenv_value(std::string_view text, size_t& i, const EnvLookup& lookup) {
  while (i < text.size() && (text[i] == ' ' || text[i] == '\t'))
    ++i;
  std::string out;
  if (i < text.size() && (text[i] == '\'' || text[i] == '"')) {
    char q = text[i++];
    std::string raw;
    while (i < text.size() && text[i] != q) {
      if (q == '"' && text[i] == '\\' && i + 1 < text.size()) {
        char e = text[i + 1];
        i += 2;
        switch (e) {
        case 'n':
          raw += '\n';
          break;
        case 't':
          raw += '\t';
          break;
        case 'r':
          raw += '\r';
          break;
        case '\\':
        case '"':
          raw += e;
          break;
        case '$':
          raw += "$$";
          break; // stays a literal $ through interpolation
        default:
          raw += '\\';
          raw += e;
        }
        continue;
      }
      raw += text[i++];
    }
    if (i >= text.size())
      return fail("unterminated quoted value");
    ++i;
    while (i < text.size() && text[i] != '\n')
      ++i; // a comment or blanks after the closing quote
    if (q == '\'')
      return raw;
    return interpolate(raw, lookup);
  }
  size_t start = i;
  while (i < text.size() && text[i] != '\n')
    ++i;
  std::string_view line = text.substr(start, i - start);
  // ` #` starts a comment in an unquoted value.
  for (size_t k = 0; k < line.size(); ++k)
    if (line[k] == '#' && (k == 0 || line[k - 1] == ' ' || line[k - 1] == '\t')) {
      line = line.substr(0, k);
      break;
    }
  while (!line.empty() && (line.back() == ' ' || line.back() == '\t' || line.back() == '\r'))
    line.remove_suffix(1);
  return interpolate(line, lookup);
}

} // namespace

Result<std::string> interpolate(std::string_view text, const EnvLookup& lookup,
                                std::vector<std::string>* unset) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '$') {
      out += text[i];
      continue;
    }
    if (i + 1 < text.size() && text[i + 1] == '$') {
      out += '$';
      ++i;
      continue;
    }
    if (i + 1 < text.size() && text[i + 1] == '{') {
      size_t close = matching_brace(text, i + 1);
      if (close == std::string_view::npos)
        return fail("invalid interpolation format for \"" + std::string(text) +
                    "\": an unclosed ${");
      out += TRY(substitute_braced(text.substr(i + 2, close - i - 2), text, lookup, unset));
      i = close;
      continue;
    }
    if (i + 1 < text.size() && name_start(text[i + 1])) {
      size_t end = i + 1;
      while (end < text.size() && name_char(text[end]))
        ++end;
      std::string name(text.substr(i + 1, end - i - 1));
      std::optional<std::string> value = lookup(name);
      if (!value && unset)
        unset->push_back(name);
      out += value.value_or("");
      i = end - 1;
      continue;
    }
    return fail("invalid interpolation format for \"" + std::string(text) +
                "\": a $ must start a variable; write $$ for a literal $");
  }
  return out;
}

Result<std::vector<std::pair<std::string, std::string>>> parse_dotenv(std::string_view text,
                                                                      const EnvLookup& lookup) {
  std::vector<std::pair<std::string, std::string>> out;
  // The environment wins over the file's own earlier keys (compose-go).
  auto find = [&](const std::string& k) -> std::optional<std::string> {
    if (auto v = lookup(k))
      return v;
    for (auto it = out.rbegin(); it != out.rend(); ++it)
      if (it->first == k)
        return it->second;
    return std::nullopt;
  };
  size_t i = 0;
  int line_no = 1;
  while (i < text.size()) {
    size_t line_start = i;
    while (i < text.size() && (text[i] == ' ' || text[i] == '\t' || text[i] == '\r'))
      ++i;
    if (i >= text.size())
      break;
    if (text[i] == '\n' || text[i] == '#') {
      while (i < text.size() && text[i] != '\n')
        ++i;
      ++i;
      ++line_no;
      continue;
    }
    if (text.substr(i, 7) == "export ")
      i += 7;
    size_t key_start = i;
    while (i < text.size() && text[i] != '=' && text[i] != '\n' && text[i] != '#')
      ++i;
    std::string key(std::string_view(text).substr(key_start, i - key_start));
    while (!key.empty() && (key.back() == ' ' || key.back() == '\t' || key.back() == '\r'))
      key.pop_back();
    bool bad = key.empty();
    for (char c : key)
      bad = bad || !(name_char(c) || c == '.' || c == '-');
    if (bad)
      return fail("line " + std::to_string(line_no) + ": invalid variable name \"" + key + "\"");
    if (i >= text.size() || text[i] != '=') {
      // A bare KEY: its value comes from the environment.
      while (i < text.size() && text[i] != '\n')
        ++i;
      if (auto v = lookup(key))
        out.emplace_back(key, *v);
    } else {
      ++i;
      auto value = dotenv_value(text, i, find);
      if (!value)
        return fail("line " + std::to_string(line_no) + ": " + value.error().message);
      out.emplace_back(key, *value);
    }
    for (size_t k = line_start; k < i && k < text.size(); ++k)
      line_no += text[k] == '\n';
    ++i;
    ++line_no;
  }
  return out;
}

} // namespace xbuild::bakefile
