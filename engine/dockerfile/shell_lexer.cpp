// Shell-word expansion, following BuildKit's lexer rule for rule.
//
// The input is scanned once, left to right, by a recursive-descent reader:
// `process_until(stop)` copies ordinary characters, hands `'`, `"` and `$`
// to their own readers, and returns at the unescaped `stop` character (or
// the end). Two results are built side by side: the whole word (what
// ProcessWord returns) and the list of shell words (ProcessWords), where
// whitespace coming from unquoted text or unquoted expansions separates
// words and quoted text never does.
//
// Parameter forms recurse: the text after `:-`, `#`, `/` … up to the closing
// brace is itself processed (so `${a:-${b:-c}}` works), and for the pattern
// forms it is processed with raw escapes so that `\*` still reaches the
// pattern matcher as an escaped star. Patterns are not turned into regexes:
// a pattern is simulated over the text as a set of reachable positions,
// which yields every match end from one start in linear time. `#`/`%` want
// the shortest or longest prefix/suffix that matches, `/` the
// leftmost-longest match.

#include "engine/dockerfile/shell_lexer.hpp"

#include <cstdint>
#include <algorithm>

namespace xbuild::engine::dockerfile {
namespace {

constexpr int32_t k_eof = -1;
// Nested `${v//…}` with empty patterns multiply lengths at every level;
// no real Dockerfile word comes near this.
constexpr size_t k_max_expansion = 1 << 20;

struct Rune {
  int32_t cp = k_eof;
  std::string_view raw;
};

// Decodes one UTF-8 sequence; invalid bytes come back one at a time.
Rune decode(std::string_view s, size_t pos) {
  if (pos >= s.size())
    return {};
  auto b = static_cast<unsigned char>(s[pos]);
  size_t len = b < 0x80 ? 1 : (b >> 5) == 6 ? 2 : (b >> 4) == 14 ? 3 : (b >> 3) == 30 ? 4 : 1;
  if (pos + len > s.size())
    len = 1;
  int32_t cp = len == 1 ? b : len == 2 ? (b & 0x1f) : len == 3 ? (b & 0x0f) : (b & 0x07);
  for (size_t i = 1; i < len; ++i) {
    auto c = static_cast<unsigned char>(s[pos + i]);
    if ((c & 0xc0) != 0x80)
      return {b, s.substr(pos, 1)};
    cp = (cp << 6) | (c & 0x3f);
  }
  return {cp, s.substr(pos, len)};
}

bool is_space(int32_t cp) {
  switch (cp) {
  case ' ': case '\t': case '\n': case '\v': case '\f': case '\r':
  case 0x85: case 0xA0: case 0x1680: case 0x2028: case 0x2029: case 0x202F:
  case 0x205F: case 0x3000:
    return true;
  default:
    return cp >= 0x2000 && cp <= 0x200A;
  }
}

bool is_digit(int32_t cp) { return cp >= '0' && cp <= '9'; }

// Go's unicode.IsLetter, approximated: ASCII letters and any non-space
// character outside ASCII (names like $KOREAN한 are rare and harmless).
bool is_letter(int32_t cp) {
  if (cp < 0x80)
    return (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z');
  return !is_space(cp);
}

bool is_special_param(int32_t cp) {
  switch (cp) {
  case '@': case '*': case '#': case '?': case '-': case '$': case '!': case '0':
    return true;
  default:
    return false;
  }
}

// The two results built while scanning (BuildKit's wordsStruct).
struct Words {
  std::string word;
  std::vector<std::string> words;
  bool in_word = false;

  void add_char(const Rune& r) {
    if (is_space(r.cp)) {
      if (in_word && !word.empty()) {
        words.push_back(std::move(word));
        word.clear();
        in_word = false;
      }
      return;
    }
    add_raw(r.raw);
  }
  void add_raw(std::string_view s) {
    word += s;
    in_word = true;
  }
  void add_string(std::string_view s) {
    for (size_t pos = 0; pos < s.size();) {
      Rune r = decode(s, pos);
      add_char(r);
      pos += r.raw.size();
    }
  }
  std::vector<std::string> finish() {
    if (!word.empty()) {
      words.push_back(std::move(word));
      word.clear();
      in_word = false;
    }
    return std::move(words);
  }
};

// ---- pattern matching --------------------------------------------------

enum class TokKind { literal, any, star };
struct PatTok {
  TokKind kind;
  std::string text; // literal bytes (one character)
};

Result<std::vector<PatTok>> compile_pattern(std::string_view pattern) {
  std::vector<PatTok> out;
  for (size_t pos = 0; pos < pattern.size();) {
    Rune r = decode(pattern, pos);
    pos += r.raw.size();
    if (r.cp == '*') {
      out.push_back({TokKind::star, {}});
    } else if (r.cp == '?') {
      out.push_back({TokKind::any, {}});
    } else if (r.cp == '\\') {
      Rune n = decode(pattern, pos);
      if (n.cp == '}' || n.cp == '/')
        continue; // the escape protected the ${} syntax, not the pattern
      if (n.cp != '*' && n.cp != '?' && n.cp != '\\')
        return fail("invalid escape '\\" + std::string(n.raw) + "'");
      pos += n.raw.size();
      out.push_back({TokKind::literal, std::string(n.raw)});
    } else {
      out.push_back({TokKind::literal, std::string(r.raw)});
    }
  }
  return out;
}

// Where can a match of the whole pattern that starts at `start` end? The
// pattern is simulated as a set of positions (an NFA without states to
// remember), one token at a time: O(tokens × text). `*` and `?` do not match
// a newline, as Go's regexp `.` does not.
std::vector<bool> match_ends(const std::vector<PatTok>& toks, std::string_view text, size_t start) {
  const size_t n = text.size();
  std::vector<bool> cur(n + 1, false), next(n + 1, false);
  cur[start] = true;
  for (const auto& t : toks) {
    std::fill(next.begin(), next.end(), false);
    bool any = false, on = false;
    for (size_t p = start; p <= n;) {
      Rune r = decode(text, p);
      if (t.kind == TokKind::star) {
        on = on || cur[p];
        if (on)
          next[p] = any = true;
        if (r.cp == '\n')
          on = false;
      } else if (cur[p]) {
        if (t.kind == TokKind::literal && text.compare(p, t.text.size(), t.text) == 0)
          next[p + t.text.size()] = any = true;
        else if (t.kind == TokKind::any && r.cp != k_eof && r.cp != '\n')
          next[p + r.raw.size()] = any = true;
      }
      if (p == n)
        break;
      p += r.raw.size();
    }
    std::swap(cur, next);
    if (!any)
      break;
  }
  return cur;
}

bool matches(const std::vector<PatTok>& toks, std::string_view text) {
  return match_ends(toks, text, 0)[text.size()];
}

std::string reverse_runes(std::string_view s) {
  std::vector<std::string_view> runes;
  for (size_t pos = 0; pos < s.size();) {
    Rune r = decode(s, pos);
    runes.push_back(r.raw);
    pos += r.raw.size();
  }
  std::string out;
  for (auto it = runes.rbegin(); it != runes.rend(); ++it)
    out += *it;
  return out;
}

// Shortest (or longest) prefix of `value` matching the pattern, as a length.
std::optional<size_t> prefix_match(const std::vector<PatTok>& toks, std::string_view value, bool greedy) {
  auto ends = match_ends(toks, value, 0);
  std::optional<size_t> found;
  for (size_t p = 0; p <= value.size(); ++p)
    if (ends[p]) {
      found = p;
      if (!greedy)
        break;
    }
  return found;
}

Result<std::string> trim_prefix(std::string_view pattern, const std::string& value, bool greedy) {
  auto toks = TRY(compile_pattern(pattern));
  auto len = prefix_match(toks, value, greedy);
  return len ? value.substr(*len) : value;
}

// Suffixes are prefixes of the reversed text under the reversed pattern
// (tokens are whole characters, so reversing by character is exact).
Result<std::string> trim_suffix(std::string_view pattern, const std::string& value, bool greedy) {
  auto toks = TRY(compile_pattern(pattern));
  std::reverse(toks.begin(), toks.end());
  auto len = prefix_match(toks, reverse_runes(value), greedy);
  return len ? value.substr(0, value.size() - *len) : value;
}

// Leftmost, then longest, match starting at or after `from`.
std::optional<std::pair<size_t, size_t>> find_match(const std::vector<PatTok>& toks,
                                                    std::string_view value, size_t from) {
  for (size_t s = from; s <= value.size();) {
    auto ends = match_ends(toks, value, s);
    for (size_t e = value.size() + 1; e-- > s;)
      if (ends[e])
        return std::make_pair(s, e);
    if (s == value.size())
      break;
    s += decode(value, s).raw.size();
  }
  return std::nullopt;
}

Result<std::string> replace(std::string_view pattern, const std::string& value,
                            const std::string& replacement, bool all) {
  auto toks = TRY(compile_pattern(pattern));
  std::string out;
  size_t pos = 0;
  while (pos <= value.size()) {
    auto m = find_match(toks, value, pos);
    if (!m)
      break;
    out += value.substr(pos, m->first - pos);
    out += replacement;
    if (out.size() > k_max_expansion)
      return fail("the result of ${…/" + std::string(pattern) + "/…} grows beyond 1 MiB: use a "
                  "non-empty pattern");
    if (m->second == m->first) {
      // An empty match: keep one character and move on, as Go does.
      Rune r = decode(value, m->first);
      out += r.raw;
      pos = m->first + (r.raw.empty() ? 1 : r.raw.size());
    } else {
      pos = m->second;
    }
    if (!all)
      break;
  }
  if (pos < value.size())
    out += value.substr(pos);
  return out;
}

// ---- the lexer -----------------------------------------------------------

class Lexer {
public:
  Lexer(std::string_view input, const EnvLookup& env, const ShellOptions& opt)
      : m_in(input), m_env(env), m_opt(opt) {}

  Result<ExpandResult> run() {
    ExpandResult r;
    auto [word, words] = TRY(process_until(k_eof, m_opt.raw_escapes));
    r.word = std::move(word);
    r.words = std::move(words);
    r.matched = std::move(m_matched);
    r.unmatched = std::move(m_unmatched);
    return r;
  }

private:
  using Pair = std::pair<std::string, std::vector<std::string>>;

  Rune peek() const { return decode(m_in, m_pos); }
  Rune next() {
    Rune r = decode(m_in, m_pos);
    m_pos += r.raw.size();
    return r;
  }
  bool at_eof() const { return m_pos >= m_in.size(); }

  Result<Pair> process_until(int32_t stop, bool raw_escapes) {
    bool saved = m_raw_escapes;
    m_raw_escapes = raw_escapes;
    auto r = process_until_impl(stop);
    m_raw_escapes = saved;
    return r;
  }

  Result<Pair> process_until_impl(int32_t stop) {
    std::string result;
    Words words;
    while (!at_eof()) {
      Rune ch = peek();
      if (stop != k_eof && ch.cp == stop) {
        next();
        return Pair{result, words.finish()};
      }
      if (ch.cp == '$' || (!m_opt.skip_process_quotes && (ch.cp == '\'' || ch.cp == '"'))) {
        std::string tmp = ch.cp == '$' ? TRY(process_dollar())
                          : ch.cp == '\'' ? TRY(process_single_quote())
                                          : TRY(process_double_quote());
        result += tmp;
        if (ch.cp == '$')
          words.add_string(tmp);
        else
          words.add_raw(tmp);
        continue;
      }
      ch = next();
      if (ch.cp == static_cast<unsigned char>(m_opt.escape)) {
        if (m_raw_escapes) {
          words.add_raw(ch.raw);
          result += ch.raw;
        }
        ch = next();
        if (ch.cp == k_eof)
          break;
        words.add_raw(ch.raw);
      } else {
        words.add_char(ch);
      }
      result += ch.raw;
    }
    if (stop != k_eof)
      return fail("unexpected end of statement while looking for matching " +
                  std::string(1, static_cast<char>(stop)));
    return Pair{result, words.finish()};
  }

  Result<std::string> process_single_quote() {
    std::string result;
    Rune ch = next();
    if (m_opt.raw_quotes)
      result += ch.raw;
    for (;;) {
      ch = next();
      if (ch.cp == k_eof)
        return fail("unexpected end of statement while looking for matching single-quote");
      if (ch.cp == '\'') {
        if (m_opt.raw_quotes)
          result += ch.raw;
        return result;
      }
      result += ch.raw;
    }
  }

  Result<std::string> process_double_quote() {
    std::string result;
    Rune ch = next();
    if (m_opt.raw_quotes)
      result += ch.raw;
    const int32_t esc = static_cast<unsigned char>(m_opt.escape);
    for (;;) {
      Rune p = peek();
      if (p.cp == k_eof)
        return fail("unexpected end of statement while looking for matching double-quote");
      if (p.cp == '"') {
        ch = next();
        if (m_opt.raw_quotes)
          result += ch.raw;
        return result;
      }
      if (p.cp == '$') {
        result += TRY(process_dollar());
        continue;
      }
      ch = next();
      if (ch.cp == esc) {
        if (m_raw_escapes)
          result += ch.raw;
        Rune n = peek();
        if (n.cp == k_eof)
          continue; // a lone escape at the end of the word is dropped
        if (n.cp == '"' || n.cp == '$' || n.cp == esc)
          ch = next();
      }
      result += ch.raw;
    }
  }

  std::string process_name() {
    std::string name;
    while (!at_eof()) {
      Rune ch = peek();
      if (name.empty() && is_digit(ch.cp)) {
        while (!at_eof() && is_digit(peek().cp))
          name += next().raw;
        return name;
      }
      if (name.empty() && is_special_param(ch.cp))
        return std::string(next().raw);
      if (!is_letter(ch.cp) && !is_digit(ch.cp) && ch.cp != '_')
        break;
      name += next().raw;
    }
    return name;
  }

  // `record_unset` is false for the forms that handle an unset variable
  // themselves (:- - :+ + :? ?), so lint does not call those undefined.
  std::pair<std::string, bool> get_env(const std::string& name, bool record_unset = true) {
    if (auto v = m_env ? m_env(name) : std::nullopt) {
      m_matched.insert(name);
      return {*v, true};
    }
    if (record_unset)
      m_unmatched.insert(name);
    return {"", false};
  }

  Result<std::string> process_dollar() {
    next(); // the '$'
    if (peek().cp != '{') {
      std::string name = process_name();
      if (name.empty())
        return std::string("$");
      auto [value, set] = get_env(name);
      if (!set && m_opt.skip_unset)
        return "$" + name;
      return value;
    }
    next(); // the '{'
    switch (peek().cp) {
    case k_eof:
      return fail("syntax error: missing '}'");
    case '{': case '}': case ':':
      return fail("syntax error: bad substitution");
    default:
      break;
    }
    std::string name = process_name();
    Rune ch = next();
    std::string chs(ch.raw);
    if (ch.cp == '}') {
      auto [value, set] = get_env(name);
      if (!set && m_opt.skip_unset)
        return "${" + name + "}";
      return value;
    }
    if (ch.cp == '/')
      return process_replace(name);
    bool null_is_unset = false;
    if (ch.cp == ':') {
      null_is_unset = true;
      ch = next();
      chs += ch.raw;
    } else if (ch.cp != '+' && ch.cp != '-' && ch.cp != '?' && ch.cp != '#' && ch.cp != '%') {
      return fail("unsupported modifier (" + chs + ") in substitution");
    }
    return process_modifier(name, ch.cp, chs, null_is_unset);
  }

  Result<std::string> process_modifier(const std::string& name, int32_t op, const std::string& chs,
                                       bool null_is_unset) {
    bool pattern_op = op == '#' || op == '%';
    if (null_is_unset && pattern_op)
      return fail("unsupported modifier (" + chs + ") in substitution");
    auto sub = process_until('}', pattern_op);
    if (!sub) {
      if (at_eof())
        return fail("syntax error: missing '}'");
      return tl::unexpected(sub.error());
    }
    std::string word = sub->first;
    auto [value, set] = get_env(name, pattern_op);
    if (m_opt.skip_unset && !set)
      return "${" + name + chs + word + "}";
    bool empty_or_unset = !set || (null_is_unset && value.empty());
    switch (op) {
    case '-':
      return empty_or_unset ? word : value;
    case '+':
      return empty_or_unset ? std::string() : word;
    case '?':
      if (!set)
        return fail(name + ": " + (word.empty() ? "is not allowed to be unset" : word));
      if (null_is_unset && value.empty())
        return fail(name + ": " + (word.empty() ? "is not allowed to be empty" : word));
      return value;
    case '#':
    case '%': {
      bool greedy = !word.empty() && word[0] == static_cast<char>(op);
      if (greedy)
        word.erase(0, 1);
      auto r = op == '%' ? trim_suffix(word, value, greedy) : trim_prefix(word, value, greedy);
      if (!r)
        return fail("invalid pattern (" + word + ") in substitution: " + r.error().message);
      return r;
    }
    default:
      return fail("unsupported modifier (" + chs + ") in substitution");
    }
  }

  Result<std::string> process_replace(const std::string& name) {
    bool all = peek().cp == '/';
    if (all)
      next();
    auto pattern = process_until('/', true);
    if (!pattern) {
      if (at_eof())
        return fail("syntax error: missing '/' in ${}");
      return tl::unexpected(pattern.error());
    }
    auto repl = process_until('}', true);
    if (!repl) {
      if (at_eof())
        return fail("syntax error: missing '}'");
      return tl::unexpected(repl.error());
    }
    auto [value, set] = get_env(name);
    if (m_opt.skip_unset && !set)
      return "${" + name + "/" + pattern->first + "/" + repl->first + "}";
    auto r = replace(pattern->first, value, repl->first, all);
    if (!r)
      return fail("invalid pattern (" + pattern->first + ") in substitution: " + r.error().message);
    return r;
  }

  std::string_view m_in;
  size_t m_pos = 0;
  const EnvLookup& m_env;
  const ShellOptions& m_opt;
  bool m_raw_escapes = false;
  std::set<std::string> m_matched, m_unmatched;
};

} // namespace

Result<ExpandResult> expand(std::string_view input, const EnvLookup& env,
                            const ShellOptions& options) {
  auto r = Lexer(input, env, options).run();
  if (!r)
    return fail("failed to process \"" + std::string(input) + "\": " + r.error().message);
  return r;
}

Result<std::string> expand_word(std::string_view input, const EnvLookup& env,
                                const ShellOptions& options) {
  auto r = TRY(expand(input, env, options));
  return std::move(r.word);
}

Result<std::vector<std::string>> expand_words(std::string_view input, const EnvLookup& env,
                                              const ShellOptions& options) {
  auto r = TRY(expand(input, env, options));
  return std::move(r.words);
}

EnvLookup env_from_list(const std::vector<std::pair<std::string, std::string>>& vars) {
  return [vars](std::string_view name) -> std::optional<std::string> {
    for (auto it = vars.rbegin(); it != vars.rend(); ++it)
      if (it->first == name)
        return it->second;
    return std::nullopt;
  };
}

bool shell_pattern_match(std::string_view pattern, std::string_view text) {
  auto toks = compile_pattern(pattern);
  return toks && matches(*toks, text);
}

} // namespace xbuild::engine::dockerfile
