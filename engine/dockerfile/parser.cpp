// Dockerfile parser, line for line with BuildKit's frontend/dockerfile/parser.
//
// The file is read as physical lines (newlines kept, so heredoc bodies stay
// intact). Parser directives are only recognised before the first line that
// is not one. A logical line starts at a non-blank, non-comment line and
// keeps absorbing physical lines while the previous one ends with the escape
// character (optionally followed by blanks); comment lines inside are
// dropped, and blank ones are dropped with a NoEmptyContinuation warning.
// The logical line is split into keyword, `--flags` and the rest, and the
// rest goes to the keyword's argument parser (JSON-or-shell, key=value,
// whitespace words, …). RUN/COPY/ADD lines that mention `<<` then consume
// one body per heredoc delimiter from the following physical lines.

#include "engine/dockerfile/parser.hpp"

#include <algorithm>
#include <cstdio>
#include <map>
#include <set>

#include <nlohmann/json.hpp>

#include "engine/dockerfile/shell_lexer.hpp"
#include "util/strings.hpp"

namespace xbuild::engine::dockerfile {
namespace {

bool is_ws(char c) { return c == ' ' || c == '\t' || c == '\v' || c == '\f' || c == '\r'; }
bool is_space(char c) { return is_ws(c) || c == '\n'; }

std::string_view trim_newline(std::string_view s) {
  if (!s.empty() && s.back() == '\n')
    s.remove_suffix(1);
  if (!s.empty() && s.back() == '\r')
    s.remove_suffix(1);
  return s;
}

std::string_view trim_leading_ws(std::string_view s) {
  size_t i = 0;
  while (i < s.size() && (s[i] == ' ' || s[i] == '\t'))
    ++i;
  return s.substr(i);
}

std::string_view trim_space(std::string_view s) {
  while (!s.empty() && is_space(s.front()))
    s.remove_prefix(1);
  while (!s.empty() && is_space(s.back()))
    s.remove_suffix(1);
  return s;
}

bool is_comment(std::string_view line) {
  auto t = trim_leading_ws(trim_newline(line));
  return !t.empty() && t[0] == '#';
}

std::vector<std::string_view> split_lines(std::string_view text) {
  std::vector<std::string_view> out;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t nl = text.find('\n', pos);
    size_t end = nl == std::string_view::npos ? text.size() : nl + 1;
    out.push_back(text.substr(pos, end - pos));
    pos = end;
  }
  return out;
}

// Splits on runs of [\t\v\f\r ], like BuildKit's reWhitespace.
std::vector<std::string> split_ws(std::string_view s, size_t max_parts = 0) {
  std::vector<std::string> out;
  size_t pos = 0;
  while (true) {
    if (max_parts && out.size() + 1 == max_parts) {
      out.emplace_back(s.substr(pos));
      return out;
    }
    size_t i = pos;
    while (i < s.size() && !is_ws(s[i]))
      ++i;
    out.emplace_back(s.substr(pos, i - pos));
    if (i == s.size())
      return out;
    while (i < s.size() && is_ws(s[i]))
      ++i;
    pos = i;
  }
}

// ---- directives ----------------------------------------------------------

const std::set<std::string> k_known_directives = {"syntax", "escape", "check"};

class DirectiveParser {
public:
  Result<std::optional<Directive>> parse_line(std::string_view line) {
    ++m_line;
    if (m_done)
      return std::nullopt;
    if (m_line == 1 && util::starts_with(line, "#!"))
      return std::nullopt;
    auto d = match(line);
    if (!d || !k_known_directives.count(d->name)) {
      m_done = true;
      return std::nullopt;
    }
    if (!m_seen.insert(d->name).second)
      return fail("only one " + d->name + " parser directive can be used");
    d->line = m_line;
    return d;
  }

private:
  // ^#[ \t]*([a-zA-Z][a-zA-Z0-9]*)[ \t]*=[ \t]*(.+?)[ \t]*$
  static std::optional<Directive> match(std::string_view line) {
    if (line.empty() || line[0] != '#')
      return std::nullopt;
    size_t i = 1;
    while (i < line.size() && (line[i] == ' ' || line[i] == '\t'))
      ++i;
    size_t start = i;
    if (i >= line.size() || !std::isalpha(static_cast<unsigned char>(line[i])))
      return std::nullopt;
    while (i < line.size() && std::isalnum(static_cast<unsigned char>(line[i])))
      ++i;
    std::string name = util::to_lower(line.substr(start, i - start));
    while (i < line.size() && (line[i] == ' ' || line[i] == '\t'))
      ++i;
    if (i >= line.size() || line[i] != '=')
      return std::nullopt;
    ++i;
    while (i < line.size() && (line[i] == ' ' || line[i] == '\t'))
      ++i;
    std::string_view value = line.substr(i);
    while (!value.empty() && (value.back() == ' ' || value.back() == '\t'))
      value.remove_suffix(1);
    if (value.empty() || value.find('\n') != std::string_view::npos)
      return std::nullopt;
    return Directive{name, std::string(value), 0};
  }

  int m_line = 0;
  bool m_done = false;
  std::set<std::string> m_seen;
};

// ---- argument parsers ------------------------------------------------------

using NodePtr = std::unique_ptr<Node>;

NodePtr chain(const std::vector<std::string>& values) {
  NodePtr head;
  Node* tail = nullptr;
  for (const auto& v : values) {
    auto n = std::make_unique<Node>();
    n->value = v;
    Node* raw = n.get();
    if (tail)
      tail->next = std::move(n);
    else
      head = std::move(n);
    tail = raw;
  }
  return head;
}

struct Parsed {
  NodePtr next;
  bool json = false;
};

struct JsonOutcome {
  enum Kind { ok, not_json, not_string_array } kind;
  std::vector<std::string> values;
};

JsonOutcome parse_json_array(std::string_view rest) {
  size_t i = 0;
  while (i < rest.size() && is_space(rest[i]))
    ++i;
  rest.remove_prefix(i);
  if (rest.empty() || rest[0] != '[')
    return {JsonOutcome::not_json, {}};
  auto j = nlohmann::json::parse(rest.begin(), rest.end(), nullptr, false);
  if (j.is_discarded() || !j.is_array())
    return {JsonOutcome::not_json, {}};
  JsonOutcome out{JsonOutcome::ok, {}};
  for (const auto& e : j) {
    if (!e.is_string())
      return {JsonOutcome::not_string_array, {}};
    out.values.push_back(e.get<std::string>());
  }
  return out;
}

const char* k_not_string_array = "dockerfile: when using JSON array syntax, arrays must be comprised "
                                 "of strings only";

Result<Parsed> parse_strings_ws(std::string_view rest) {
  if (rest.empty())
    return Parsed{};
  return Parsed{chain(split_ws(rest)), false};
}

Result<Parsed> parse_string(std::string_view rest) {
  if (rest.empty())
    return Parsed{};
  return Parsed{chain({std::string(rest)}), false};
}

Result<Parsed> parse_maybe_json(std::string_view rest) {
  if (rest.empty())
    return Parsed{};
  auto j = parse_json_array(rest);
  if (j.kind == JsonOutcome::ok)
    return Parsed{chain(j.values), true};
  if (j.kind == JsonOutcome::not_string_array)
    return fail(k_not_string_array);
  return Parsed{chain({std::string(rest)}), false};
}

Result<Parsed> parse_maybe_json_to_list(std::string_view rest) {
  auto j = parse_json_array(rest);
  if (j.kind == JsonOutcome::ok)
    return Parsed{chain(j.values), true};
  if (j.kind == JsonOutcome::not_string_array)
    return fail(k_not_string_array);
  return parse_strings_ws(rest);
}

bool utf8_space_at(std::string_view s, size_t pos, size_t& width) {
  auto c = static_cast<unsigned char>(s[pos]);
  width = 1;
  if (c < 0x80)
    return is_space(static_cast<char>(c));
  // U+0085 and U+00A0 are the only non-ASCII spaces likely in a Dockerfile.
  if (c == 0xC2 && pos + 1 < s.size()) {
    auto d = static_cast<unsigned char>(s[pos + 1]);
    if (d == 0x85 || d == 0xA0) {
      width = 2;
      return true;
    }
  }
  return false;
}

} // namespace

// BuildKit's parseWords: whitespace-separated words where quotes group and
// the escape character keeps the next character (both stay in the word).
std::vector<std::string> parse_words(std::string_view rest, char escape) {
  enum { in_spaces, in_word, in_quote } phase = in_spaces;
  std::vector<std::string> words;
  std::string word;
  char quote = 0;
  bool blank_ok = false;
  for (size_t pos = 0; pos <= rest.size();) {
    size_t width = 1;
    bool space = pos < rest.size() && utf8_space_at(rest, pos, width);
    char ch = pos < rest.size() ? rest[pos] : 0;
    if (phase == in_spaces) {
      if (pos == rest.size())
        break;
      if (space) {
        pos += width;
        continue;
      }
      phase = in_word;
    }
    if (pos == rest.size()) {
      if (blank_ok || !word.empty())
        words.push_back(word);
      break;
    }
    if (phase == in_word) {
      if (space) {
        phase = in_spaces;
        if (blank_ok || !word.empty())
          words.push_back(word);
        word.clear();
        blank_ok = false;
        pos += width;
        continue;
      }
      if (ch == '\'' || ch == '"') {
        quote = ch;
        blank_ok = true;
        phase = in_quote;
      }
      if (ch == escape) {
        if (pos + 1 == rest.size()) {
          ++pos;
          continue;
        }
        word += ch;
        ++pos;
        ch = rest[pos];
      }
      word += ch;
      ++pos;
      continue;
    }
    // in_quote
    if (ch == quote)
      phase = in_word;
    if (ch == escape && quote != '\'') {
      if (pos + 1 == rest.size()) {
        phase = in_word;
        ++pos;
        continue;
      }
      word += ch;
      ++pos;
      ch = rest[pos];
    }
    word += ch;
    ++pos;
  }
  return words;
}

namespace {

NodePtr key_value(const std::string& key, const std::string& value, const std::string& sep) {
  return chain({key, value, sep});
}

Result<Parsed> parse_name_val(std::string_view rest, const std::string& key, char escape) {
  auto words = parse_words(rest, escape);
  if (words.empty())
    return Parsed{};
  if (words[0].find('=') == std::string::npos) {
    auto parts = split_ws(rest, 2);
    if (parts.size() < 2)
      return fail(key + " must have two arguments");
    return Parsed{key_value(parts[0], parts[1], ""), false};
  }
  std::vector<std::string> flat;
  for (const auto& w : words) {
    auto eq = w.find('=');
    if (eq == std::string::npos)
      return fail("Syntax error - can't find = in " + go_quote(w) +
                  ". Must be of the form: name=value");
    flat.push_back(w.substr(0, eq));
    flat.push_back(w.substr(eq + 1));
    flat.push_back("=");
  }
  return Parsed{chain(flat), false};
}

Result<Parsed> parse_health(std::string_view rest) {
  size_t sep = 0;
  while (sep < rest.size() && !is_space(rest[sep]))
    ++sep;
  size_t next = sep;
  while (next < rest.size() && is_space(rest[next]))
    ++next;
  if (sep == 0)
    return Parsed{};
  auto cmd = TRY(parse_maybe_json(rest.substr(next)));
  auto head = std::make_unique<Node>();
  head->value = std::string(rest.substr(0, sep));
  head->next = std::move(cmd.next);
  return Parsed{std::move(head), cmd.json};
}

// BuildKit's extractBuilderFlags: leading `--words`, quotes allowed.
Result<std::pair<std::string, std::vector<std::string>>> extract_flags(std::string_view line) {
  enum { in_spaces, in_word, in_quote } phase = in_spaces;
  std::vector<std::string> words;
  std::string word;
  char quote = 0;
  bool blank_ok = false;
  for (size_t pos = 0; pos <= line.size(); ++pos) {
    char ch = pos < line.size() ? line[pos] : 0;
    if (phase == in_spaces) {
      if (pos == line.size())
        break;
      if (is_space(ch))
        continue;
      if (ch != '-' || pos + 1 == line.size() || line[pos + 1] != '-')
        return std::make_pair(std::string(line.substr(pos)), words);
      phase = in_word;
    }
    if (pos == line.size()) {
      if (word != "--" && (blank_ok || !word.empty()))
        words.push_back(word);
      break;
    }
    if (phase == in_word) {
      if (is_space(ch)) {
        phase = in_spaces;
        if (word == "--")
          return std::make_pair(std::string(line.substr(pos)), words);
        if (blank_ok || !word.empty())
          words.push_back(word);
        word.clear();
        blank_ok = false;
        continue;
      }
      if (ch == '\'' || ch == '"') {
        quote = ch;
        blank_ok = true;
        phase = in_quote;
        continue;
      }
      if (ch == '\\') {
        if (pos + 1 == line.size())
          continue;
        ch = line[++pos];
      }
      word += ch;
      continue;
    }
    if (ch == quote) {
      phase = in_word;
      continue;
    }
    if (ch == '\\') {
      if (pos + 1 == line.size()) {
        phase = in_word;
        continue;
      }
      ch = line[++pos];
    }
    word += ch;
  }
  return std::make_pair(std::string(), words);
}

struct Directives {
  char escape = '\\';
};

Result<NodePtr> node_from_line(std::string_view line, const Directives& d);

Result<Parsed> parse_sub_command(std::string_view rest, const Directives& d) {
  if (rest.empty())
    return Parsed{};
  auto child = TRY(node_from_line(rest, d));
  auto holder = std::make_unique<Node>();
  holder->children.push_back(std::move(child));
  return Parsed{std::move(holder), false};
}

Result<Parsed> dispatch(const std::string& cmd, std::string_view rest, const Directives& d) {
  if (cmd == "add" || cmd == "copy" || cmd == "volume")
    return parse_maybe_json_to_list(rest);
  if (cmd == "run" || cmd == "cmd" || cmd == "entrypoint" || cmd == "shell")
    return parse_maybe_json(rest);
  if (cmd == "env")
    return parse_name_val(rest, "ENV", d.escape);
  if (cmd == "label")
    return parse_name_val(rest, "LABEL", d.escape);
  if (cmd == "arg") {
    auto words = parse_words(rest, d.escape);
    return Parsed{chain(words), false};
  }
  if (cmd == "from" || cmd == "expose")
    return parse_strings_ws(rest);
  if (cmd == "healthcheck")
    return parse_health(rest);
  if (cmd == "onbuild")
    return parse_sub_command(rest, d);
  if (cmd == "maintainer" || cmd == "user" || cmd == "workdir" || cmd == "stopsignal")
    return parse_string(rest);
  // Unknown keywords parse; the instruction layer reports them.
  return Parsed{std::make_unique<Node>(), false};
}

Result<NodePtr> node_from_line(std::string_view line, const Directives& d) {
  auto cmdline = split_ws(trim_space(line), 2);
  std::string args;
  std::vector<std::string> flags;
  if (cmdline.size() == 2) {
    auto [rest, f] = TRY(extract_flags(cmdline[1]));
    args = std::string(trim_space(rest));
    flags = std::move(f);
  }
  auto parsed = TRY(dispatch(util::to_lower(cmdline[0]), args, d));
  auto node = std::make_unique<Node>();
  node->value = cmdline[0];
  node->original = std::string(line);
  node->flags = std::move(flags);
  node->next = std::move(parsed.next);
  node->json = parsed.json;
  return node;
}

bool can_contain_heredoc(const Node& n) {
  const Node* node = &n;
  if (util::to_lower(node->value) == "onbuild" && node->next && !node->next->children.empty())
    node = node->next->children[0].get();
  auto v = util::to_lower(node->value);
  return (v == "run" || v == "copy" || v == "add") && !node->json;
}

// Continuation: the line ends with the escape character plus blanks, and the
// escape is not itself escaped. Returns the line without them.
bool trim_continuation(std::string& line, char escape) {
  size_t end = line.size();
  while (end > 0 && (line[end - 1] == ' ' || line[end - 1] == '\t'))
    --end;
  if (end == 0 || line[end - 1] != escape)
    return false;
  if (end >= 2 && line[end - 2] == escape)
    return false;
  line.resize(end - 1);
  return true;
}

} // namespace

std::string located_error(std::string_view filename, std::string_view text, int line,
                          std::string_view message, int end_line, std::string_view highlight) {
  std::string out = std::string(filename) + ":" + std::to_string(line) + ": " + std::string(message);
  auto lines = split_lines(text);
  if (end_line < line)
    end_line = line;
  for (int l = line; l <= end_line && l >= 1 && l <= static_cast<int>(lines.size()); ++l) {
    char num[16];
    std::snprintf(num, sizeof num, "%4d", l);
    std::string_view src = trim_newline(lines[l - 1]);
    out += "\n" + std::string(num) + " | >>> " + std::string(src);
    if (!highlight.empty() && l == line) {
      if (auto col = src.find(highlight); col != std::string_view::npos) {
        std::string pad;
        for (size_t i = 0; i < col; ++i)
          pad += src[i] == '\t' ? '\t' : ' ';
        out += "\n     |     " + pad + std::string(highlight.size(), '^');
      }
    }
    if (l - line >= 4 && l < end_line) {
      out += "\n     | ...";
      break;
    }
  }
  return out;
}

Result<std::vector<Heredoc>> heredocs_from_line(std::string_view line) {
  ShellOptions raw;
  raw.raw_quotes = true;
  raw.raw_escapes = true;
  auto words = expand_words(line, nullptr, raw);
  std::vector<Heredoc> out;
  if (!words)
    return out;
  for (const auto& w : *words) {
    // ^(\d*)<<(-?)\s*([^<]*)$
    size_t i = 0;
    while (i < w.size() && std::isdigit(static_cast<unsigned char>(w[i])))
      ++i;
    if (w.compare(i, 2, "<<") != 0)
      continue;
    std::string fd = w.substr(0, i);
    i += 2;
    bool chomp = i < w.size() && w[i] == '-';
    if (chomp)
      ++i;
    while (i < w.size() && is_space(w[i]))
      ++i;
    std::string rest = w.substr(i);
    if (rest.empty() || rest.find('<') != std::string::npos)
      continue;
    ShellOptions cooked;
    cooked.skip_unset = true;
    auto plain = TRY(expand_words(rest, nullptr, cooked));
    if (plain.size() != 1)
      continue;
    cooked.raw_quotes = true;
    auto rawq = TRY(expand_words(rest, nullptr, cooked));
    if (rawq.size() != 1)
      return fail("internal lexing of heredoc produced inconsistent results: " + rest);
    auto quotes = [](const std::string& s) { return std::count(s.begin(), s.end(), '\'') +
                                                    std::count(s.begin(), s.end(), '"'); };
    Heredoc h;
    h.name = plain[0];
    h.expand = quotes(plain[0]) == quotes(rawq[0]);
    h.chomp = chomp;
    h.fd = fd.empty() ? 0 : static_cast<unsigned>(std::stoul(fd.substr(0, 9)));
    out.push_back(std::move(h));
  }
  return out;
}

namespace {

// The parse loop with its cursor over physical lines.
class Parser {
public:
  Parser(std::string_view text, std::string_view filename) : m_text(text), m_file(filename) {
    if (util::starts_with(m_text, "\xEF\xBB\xBF"))
      m_text.remove_prefix(3);
    m_lines = split_lines(m_text);
  }

  Result<ParseResult> run() {
    while (m_cur < m_lines.size())
      TRY_VOID(logical_line());
    if (m_result.root.children.empty())
      return fail(located(m_line, "file with no instructions") +
                  "\n  A Dockerfile needs at least one instruction, starting with FROM.");
    m_result.escape = m_dirs.escape;
    m_result.root.start_line = m_result.root.children.front()->start_line;
    m_result.root.end_line = m_result.root.children.back()->end_line;
    return std::move(m_result);
  }

private:
  std::string located(int line, std::string_view msg, int end_line = 0) {
    return located_error(m_file, m_text, line, msg, end_line);
  }

  // BuildKit's processLine: trim, drop comments, feed the directive parser.
  Result<std::string> process_line(std::string_view raw, bool strip_left) {
    std::string_view token = trim_newline(raw);
    if (strip_left)
      token = trim_leading_ws(token);
    auto d = m_directive_parser.parse_line(token);
    if (!d)
      return fail(located(m_line + 1, d.error().message));
    if (*d) {
      if ((*d)->name == "escape") {
        if ((*d)->value != "\\" && (*d)->value != "`")
          return fail(located(m_line + 1, "invalid escape token '" + (*d)->value +
                                              "' does not match ` or \\"));
        m_dirs.escape = (*d)->value[0];
      }
      m_result.directives.push_back(**d);
    }
    if (is_comment(token))
      return std::string();
    return std::string(token);
  }

  Result<void> logical_line() {
    std::string_view raw = m_lines[m_cur++];
    size_t directives_before = m_result.directives.size();
    if (trim_leading_ws(trim_newline(raw)).empty())
      m_comments.clear(); // a blank line detaches comments from what follows
    if (is_comment(raw)) {
      auto c = std::string(trim_space(trim_leading_ws(trim_newline(raw)).substr(1)));
      if (c.empty())
        m_comments.clear();
      else
        m_comments.push_back(c);
    }
    std::string line = TRY(process_line(raw, true));
    if (m_result.directives.size() != directives_before && !m_comments.empty())
      m_comments.pop_back(); // a directive is not a description
    ++m_line;
    int start = m_line;
    bool continued = trim_continuation(line, m_dirs.escape);
    if (!continued && line.empty())
      return {};
    bool empty_continuation = false;
    while (continued && m_cur < m_lines.size()) {
      std::string_view next_raw = m_lines[m_cur++];
      std::string part = TRY(process_line(next_raw, false));
      ++m_line;
      if (is_comment(next_raw))
        continue;
      if (trim_leading_ws(part).empty()) {
        empty_continuation = true;
        continue;
      }
      continued = trim_continuation(part, m_dirs.escape);
      line += part;
    }
    if (empty_continuation)
      m_result.warnings.push_back({"Empty continuation line found in: " + line,
                                   "Empty continuation lines will become errors in a future "
                                   "release", "NoEmptyContinuation", start});
    auto node = node_from_line(line, m_dirs);
    if (!node)
      return fail(located(start, node.error().message, m_line));
    TRY_VOID(read_heredocs(**node, line, start));
    (*node)->start_line = start;
    (*node)->end_line = m_line;
    (*node)->prev_comments = std::move(m_comments);
    m_comments.clear();
    m_result.root.children.push_back(std::move(*node));
    return {};
  }

  Result<void> read_heredocs(Node& node, const std::string& line, int start) {
    if (!can_contain_heredoc(node) || line.find("<<") == std::string::npos)
      return {};
    auto docs = heredocs_from_line(line);
    if (!docs)
      return fail(located(start, docs.error().message, m_line));
    for (auto& h : *docs) {
      bool terminated = false;
      while (m_cur < m_lines.size()) {
        std::string_view body = m_lines[m_cur++];
        ++m_line;
        std::string_view candidate = trim_newline(body);
        if (h.chomp)
          while (!candidate.empty() && candidate[0] == '\t')
            candidate.remove_prefix(1);
        if (candidate == h.name) {
          terminated = true;
          break;
        }
        h.content += body;
      }
      if (!terminated)
        return fail(located(start, "unterminated heredoc: no line \"" + h.name +
                                       "\" ends the here-document; add it after the body",
                            start));
      node.heredocs.push_back(std::move(h));
    }
    return {};
  }

  std::string_view m_text;
  std::string_view m_file;
  std::vector<std::string_view> m_lines;
  size_t m_cur = 0;
  int m_line = 0;
  Directives m_dirs;
  DirectiveParser m_directive_parser;
  std::vector<std::string> m_comments;
  ParseResult m_result;
};

} // namespace

Result<ParseResult> parse(std::string_view text, std::string_view filename) {
  return Parser(text, filename).run();
}

std::vector<std::string> Node::args() const {
  std::vector<std::string> out;
  for (const Node* n = next.get(); n; n = n->next.get())
    out.push_back(n->value);
  return out;
}

std::string Node::dump() const {
  std::string s = util::to_lower(value);
  if (!flags.empty()) {
    s += " [";
    for (size_t i = 0; i < flags.size(); ++i)
      s += (i ? " " : "") + go_quote(flags[i]);
    s += "]";
  }
  for (const auto& c : children)
    s += "(" + c->dump() + ")\n";
  for (const Node* n = next.get(); n; n = n->next.get())
    s += " " + (n->children.empty() ? go_quote(n->value) : n->dump());
  return std::string(trim_space(s));
}

std::string go_quote(std::string_view s) {
  std::string out = "\"";
  for (size_t pos = 0; pos < s.size();) {
    auto c = static_cast<unsigned char>(s[pos]);
    switch (c) {
    case '"': out += "\\\""; break;
    case '\\': out += "\\\\"; break;
    case '\a': out += "\\a"; break;
    case '\b': out += "\\b"; break;
    case '\f': out += "\\f"; break;
    case '\n': out += "\\n"; break;
    case '\r': out += "\\r"; break;
    case '\t': out += "\\t"; break;
    case '\v': out += "\\v"; break;
    default:
      if (c < 0x20 || c == 0x7f) {
        char buf[8];
        std::snprintf(buf, sizeof buf, "\\x%02x", c);
        out += buf;
      } else {
        out += static_cast<char>(c);
      }
    }
    ++pos;
  }
  return out + "\"";
}

} // namespace xbuild::engine::dockerfile
