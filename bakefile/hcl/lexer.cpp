// The lexer runs a stack of modes, as HCL's own scanner does, because HCL
// nests languages: an expression may contain a quoted template, which may
// contain `${ expression }`, which may contain another quoted template...
//
//   normal   expressions and bodies. Counts `{` so that the `}` closing an
//            interpolation (depth 0, not the outermost mode) is recognised
//            as template_seq_end and pops back to the template.
//   quoted   "..." text: backslash escapes are decoded here, `$${` and
//            `%%{` become literal `${` and `%{`, `${`/`%{` push normal mode.
//   heredoc  lines up to the closing marker; no backslash escapes. Literal
//            tokens end at each newline so that the parser can remove the
//            indentation of `<<-` heredocs line by line.
//
// The whole file is tokenised up front: bake files are small and a token
// vector makes the parser a plain recursive descent with free lookahead.

#include "bakefile/hcl/lexer.hpp"

#include "bakefile/hcl/utf8.hpp"

#include <cstdint>

namespace xbuild::bakefile::hcl {

std::string_view describe(TokenKind kind) {
  switch (kind) {
  case TokenKind::eof:
    return "end of file";
  case TokenKind::newline:
    return "newline";
  case TokenKind::ident:
    return "identifier";
  case TokenKind::number:
    return "number";
  case TokenKind::oquote:
  case TokenKind::cquote:
    return "quote";
  case TokenKind::oheredoc:
    return "heredoc";
  case TokenKind::cheredoc:
    return "heredoc end marker";
  case TokenKind::string_lit:
    return "string";
  case TokenKind::template_interp:
    return "\"${\"";
  case TokenKind::template_control:
    return "\"%{\"";
  case TokenKind::template_seq_end:
    return "\"}\"";
  case TokenKind::lbrace:
    return "\"{\"";
  case TokenKind::rbrace:
    return "\"}\"";
  case TokenKind::lbrack:
    return "\"[\"";
  case TokenKind::rbrack:
    return "\"]\"";
  case TokenKind::lparen:
    return "\"(\"";
  case TokenKind::rparen:
    return "\")\"";
  case TokenKind::comma:
    return "\",\"";
  case TokenKind::dot:
    return "\".\"";
  case TokenKind::colon:
    return "\":\"";
  case TokenKind::question:
    return "\"?\"";
  case TokenKind::equal:
    return "\"=\"";
  case TokenKind::fat_arrow:
    return "\"=>\"";
  case TokenKind::ellipsis:
    return "\"...\"";
  default:
    return "operator";
  }
}

namespace {

enum class Mode { normal, quoted, heredoc };

struct Frame {
  Mode mode = Mode::normal;
  int depth = 0;          // normal: open braces inside this frame
  std::string marker;     // heredoc: the closing marker
  bool line_start = true; // heredoc: at the start of a line
};

bool is_ident_start(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c >= 0x80;
}

bool is_ident_char(unsigned char c) {
  return is_ident_start(c) || (c >= '0' && c <= '9') || c == '-';
}

bool is_digit(char c) { return c >= '0' && c <= '9'; }

class Lexer {
public:
  Lexer(const SourceFile& file, Pos start)
      : m_file(file), m_text(file.text), m_off(start.offset), m_pos(start) {}

  // Room for about one token per four bytes of a whole file: a 4,000-target
  // file has ~150k tokens, and growing the vector by doubling copied them
  // all again and again (a tenth of `bake --print`'s time).
  void reserve_for_file() { m_tokens.reserve((m_text.size() - m_off) / 4 + 16); }

  // `bare`: the input is the inside of a template with no delimiters.
  Result<std::vector<Token>> run(bool bare) {
    m_stack.push_back(bare ? Frame{Mode::heredoc, 0, {}, false} : Frame{});
    while (true) {
      Frame& top = m_stack.back();
      bool more = true;
      if (top.mode == Mode::normal)
        more = TRY(lex_normal());
      else if (top.mode == Mode::quoted)
        TRY_VOID(lex_quoted());
      else
        more = TRY(lex_heredoc());
      if (!more)
        break;
    }
    return std::move(m_tokens);
  }

private:
  const SourceFile& m_file;
  std::string_view m_text;
  size_t m_off = 0;
  Pos m_pos;
  std::vector<Frame> m_stack;
  std::vector<Token> m_tokens;

  bool at_end() const { return m_off >= m_text.size(); }
  char cur(size_t ahead = 0) const {
    return m_off + ahead < m_text.size() ? m_text[m_off + ahead] : '\0';
  }
  bool looking_at(std::string_view s) const { return m_text.substr(m_off, s.size()) == s; }

  void advance(size_t n = 1) {
    for (size_t i = 0; i < n && m_off < m_text.size(); ++i) {
      unsigned char c = static_cast<unsigned char>(m_text[m_off++]);
      m_pos.offset = static_cast<uint32_t>(m_off);
      if (c == '\n') {
        ++m_pos.line;
        m_pos.column = 1;
      } else if ((c & 0xC0) != 0x80) {
        ++m_pos.column;
      }
    }
  }

  Range range_from(Pos begin) const { return Range{&m_file, begin, m_pos}; }

  Error error_here(std::string_view message) const {
    return make_error(Range{&m_file, m_pos, m_pos}, message);
  }

  Token& push(TokenKind kind, Pos begin, size_t begin_off) {
    Token t;
    t.kind = kind;
    t.text = m_text.substr(begin_off, m_off - begin_off);
    t.range = range_from(begin);
    m_tokens.push_back(std::move(t));
    return m_tokens.back();
  }

  Token& emit(TokenKind kind, size_t len) {
    Pos begin = m_pos;
    size_t off = m_off;
    advance(len);
    return push(kind, begin, off);
  }

  Result<void> skip_comment() {
    if (cur() == '#' || looking_at("//")) {
      while (!at_end() && cur() != '\n')
        advance();
      return {};
    }
    Pos begin = m_pos;
    advance(2);
    while (!at_end() && !looking_at("*/"))
      advance();
    if (at_end())
      return tl::unexpected(make_error(Range{&m_file, begin, begin},
                                       "Unterminated comment; this \"/*\" has no matching \"*/\""));
    advance(2);
    return {};
  }

  // Returns false at the end of the input.
  Result<bool> lex_normal() {
    char c = cur();
    while (c == ' ' || c == '\t' || c == '\r') {
      advance();
      c = cur();
    }
    if (at_end()) {
      if (m_stack.size() > 1 || m_stack.front().mode != Mode::normal)
        return tl::unexpected(error_here("Unterminated template string; expected \"}\""));
      emit(TokenKind::eof, 0);
      return false;
    }
    if (c == '#' || looking_at("//") || looking_at("/*")) {
      TRY_VOID(skip_comment());
      return true;
    }
    if (c == '\n') {
      emit(TokenKind::newline, 1);
      return true;
    }
    if (c == '"') {
      emit(TokenKind::oquote, 1);
      m_stack.push_back(Frame{Mode::quoted, 0, {}, false});
      return true;
    }
    if (looking_at("<<"))
      return lex_heredoc_start();
    if (is_digit(c)) {
      lex_number();
      return true;
    }
    if (is_ident_start(static_cast<unsigned char>(c))) {
      Pos begin = m_pos;
      size_t off = m_off;
      while (!at_end() && is_ident_char(static_cast<unsigned char>(cur())))
        advance();
      push(TokenKind::ident, begin, off);
      return true;
    }
    TRY_VOID(lex_punctuation());
    return true;
  }

  void lex_number() {
    Pos begin = m_pos;
    size_t off = m_off;
    while (is_digit(cur()))
      advance();
    if (cur() == '.' && is_digit(cur(1))) {
      advance();
      while (is_digit(cur()))
        advance();
    }
    if ((cur() == 'e' || cur() == 'E') &&
        (is_digit(cur(1)) || ((cur(1) == '+' || cur(1) == '-') && is_digit(cur(2))))) {
      advance(2);
      while (is_digit(cur()))
        advance();
    }
    push(TokenKind::number, begin, off);
  }

  Result<bool> lex_heredoc_start() {
    Pos begin = m_pos;
    size_t off = m_off;
    advance(2);
    bool flush = false;
    if (cur() == '-') {
      flush = true;
      advance();
    }
    size_t name_off = m_off;
    while (!at_end() && is_ident_char(static_cast<unsigned char>(cur())))
      advance();
    std::string marker(m_text.substr(name_off, m_off - name_off));
    if (cur() == '\r')
      advance();
    if (marker.empty() || cur() != '\n')
      return tl::unexpected(make_error(
          Range{&m_file, begin, begin},
          "Invalid heredoc introducer; expected an identifier and a newline after \"<<\""));
    advance();
    Token& t = push(TokenKind::oheredoc, begin, off);
    t.value = marker;
    t.flush = flush;
    m_stack.push_back(Frame{Mode::heredoc, 0, marker, true});
    return true;
  }

  Result<void> lex_punctuation() {
    struct Op {
      std::string_view text;
      TokenKind kind;
    };
    static constexpr Op k_ops[] = {
        {"...", TokenKind::ellipsis}, {"=>", TokenKind::fat_arrow}, {"==", TokenKind::eq_eq},
        {"!=", TokenKind::bang_eq},    {"<=", TokenKind::less_eq},   {">=", TokenKind::greater_eq},
        {"&&", TokenKind::and_and},   {"||", TokenKind::or_or},     {"[", TokenKind::lbrack},
        {"]", TokenKind::rbrack},     {"(", TokenKind::lparen},     {")", TokenKind::rparen},
        {",", TokenKind::comma},      {".", TokenKind::dot},        {":", TokenKind::colon},
        {"?", TokenKind::question},   {"=", TokenKind::equal},      {"+", TokenKind::plus},
        {"-", TokenKind::minus},      {"*", TokenKind::star},       {"/", TokenKind::slash},
        {"%", TokenKind::percent},    {"!", TokenKind::bang},       {"<", TokenKind::less},
        {">", TokenKind::greater},
    };
    Frame& top = m_stack.back();
    bool in_template = m_stack.size() > 1;
    if (cur() == '{') {
      ++top.depth;
      emit(TokenKind::lbrace, 1);
      return {};
    }
    if (cur() == '}' || looking_at("~}")) {
      bool strip = cur() == '~';
      if (in_template && top.depth == 0) {
        emit(TokenKind::template_seq_end, strip ? 2 : 1).strip = strip;
        m_stack.pop_back();
        return {};
      }
      if (!strip) {
        --top.depth;
        emit(TokenKind::rbrace, 1);
        return {};
      }
    }
    for (const Op& op : k_ops) {
      if (looking_at(op.text)) {
        emit(op.kind, op.text.size());
        return {};
      }
    }
    return tl::unexpected(
        error_here("Invalid character; this character is not used within the language"));
  }

  // ${ or %{ inside a template: emit it and switch to expression mode.
  bool lex_template_open() {
    bool interp = looking_at("${");
    if (!interp && !looking_at("%{"))
      return false;
    bool strip = cur(2) == '~';
    emit(interp ? TokenKind::template_interp : TokenKind::template_control, strip ? 3 : 2).strip =
        strip;
    m_stack.push_back(Frame{});
    return true;
  }

  Result<void> lex_quoted() {
    if (cur() == '"') {
      emit(TokenKind::cquote, 1);
      m_stack.pop_back();
      return {};
    }
    if (lex_template_open())
      return {};
    Pos begin = m_pos;
    size_t off = m_off;
    std::string value;
    while (true) {
      if (at_end() || cur() == '\n')
        return tl::unexpected(make_error(
            Range{&m_file, begin, begin},
            "Unterminated template string; a quoted string must end with \" on the same line"));
      if (cur() == '"' || looking_at("${") || looking_at("%{"))
        break;
      if (looking_at("$${") || looking_at("%%{")) {
        value += cur();
        value += '{';
        advance(3);
        continue;
      }
      if (cur() == '\\') {
        TRY_VOID(decode_escape(value));
        continue;
      }
      value += cur();
      advance();
    }
    push(TokenKind::string_lit, begin, off).value = std::move(value);
    return {};
  }

  Result<void> decode_escape(std::string& out) {
    Pos begin = m_pos;
    char e = cur(1);
    switch (e) {
    case 'n':
      out += '\n';
      break;
    case 'r':
      out += '\r';
      break;
    case 't':
      out += '\t';
      break;
    case '"':
      out += '"';
      break;
    case '\\':
      out += '\\';
      break;
    case 'u':
    case 'U': {
      size_t digits = e == 'u' ? 4 : 8;
      uint32_t cp = 0;
      for (size_t i = 0; i < digits; ++i) {
        char h = cur(2 + i);
        int d = is_digit(h)               ? h - '0'
                : (h >= 'a' && h <= 'f') ? h - 'a' + 10
                : (h >= 'A' && h <= 'F') ? h - 'A' + 10
                                          : -1;
        if (d < 0)
          return tl::unexpected(make_error(Range{&m_file, begin, begin},
                                           "Invalid escape sequence; \\" + std::string(1, e) +
                                               " must be followed by " + std::to_string(digits) +
                                               " hexadecimal digits"));
        cp = cp * 16 + static_cast<uint32_t>(d);
      }
      if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        return tl::unexpected(make_error(Range{&m_file, begin, begin},
                                         "Invalid escape sequence; not a Unicode code point"));
      utf8::append(out, cp);
      advance(2 + digits);
      return {};
    }
    default:
      return tl::unexpected(make_error(
          Range{&m_file, begin, begin},
          "Invalid escape sequence; the symbol \"" + std::string(1, e) +
              "\" is not a valid escape sequence selector (use \\\\ for a literal backslash)"));
    }
    advance(2);
    return {};
  }

  // At the start of a heredoc line: is it the closing marker?
  bool at_heredoc_end(const std::string& marker) const {
    size_t i = m_off;
    while (i < m_text.size() && (m_text[i] == ' ' || m_text[i] == '\t'))
      ++i;
    if (m_text.substr(i, marker.size()) != marker)
      return false;
    i += marker.size();
    if (i < m_text.size() && m_text[i] == '\r')
      ++i;
    return i >= m_text.size() || m_text[i] == '\n';
  }

  Result<bool> lex_heredoc() {
    Frame& top = m_stack.back();
    if (at_end() && top.marker.empty()) {
      emit(TokenKind::eof, 0);
      return false;
    }
    if (at_end())
      return tl::unexpected(error_here("Unterminated heredoc; no line \"" + top.marker +
                                       "\" closes it"));
    if (top.line_start && !top.marker.empty() && at_heredoc_end(top.marker)) {
      Pos begin = m_pos;
      size_t off = m_off;
      while (cur() == ' ' || cur() == '\t')
        advance();
      advance(top.marker.size());
      if (cur() == '\r')
        advance();
      push(TokenKind::cheredoc, begin, off);
      m_stack.pop_back();
      return true;
    }
    top.line_start = false;
    if (lex_template_open())
      return true;
    Pos begin = m_pos;
    size_t off = m_off;
    std::string value;
    while (!at_end() && !looking_at("${") && !looking_at("%{")) {
      if (looking_at("$${") || looking_at("%%{")) {
        value += cur();
        value += '{';
        advance(3);
        continue;
      }
      char c = cur();
      value += c;
      advance();
      if (c == '\n') {
        top.line_start = true;
        break;
      }
    }
    push(TokenKind::string_lit, begin, off).value = std::move(value);
    return true;
  }
};

} // namespace

Result<std::vector<Token>> lex(const SourceFile& file, Pos start) {
  Lexer lexer(file, start);
  lexer.reserve_for_file();
  return lexer.run(false);
}

Result<std::vector<Token>> lex_template(const SourceFile& file, Pos start) {
  return Lexer(file, start).run(true);
}

} // namespace xbuild::bakefile::hcl
