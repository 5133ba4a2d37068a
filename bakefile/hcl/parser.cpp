// A recursive-descent parser over the token vector of lexer.cpp.
//
// Newlines are the one subtle part of HCL's grammar. In a body a newline
// ends an attribute, and inside `{ ... }` object constructors it separates
// items; inside `( )`, `[ ]`, `${ }` and `for` expressions newlines are just
// whitespace. The parser keeps a stack of "newlines matter" flags that these
// constructs push, and peek() skips newline tokens when the top flag is off.
//
// Operators bind as in the HCL spec, loosest first:
//   ?:   ||   &&   == !=   < > <= >=   + -   * / %   unary ! -   postfix
// Postfix traversals are `.name`, `[key]`, legacy `.0`, and the splats
// `.*` (attributes only follow) and `[*]` (attributes and indexes follow);
// the traversal after a splat applies to each element, so it is parsed
// onto a SplatItemExpr placeholder.
//
// Templates are parsed flat first (literals, interpolations, directive
// markers), then `<<-` indentation removal and `~` strip markers edit the
// literals, then if/for directives are nested into a tree.

#include "bakefile/hcl/parser.hpp"

#include <algorithm>
#include <map>

#include "bakefile/hcl/lexer.hpp"

namespace xbuild::bakefile::hcl {

const Attribute* Body::attribute(std::string_view name) const {
  for (const Attribute& a : attributes)
    if (a.name == name)
      return &a;
  return nullptr;
}

namespace {

constexpr int k_max_depth = 200; // nesting limit: bad input must not overflow the stack

// One flat element of a template before directives are nested.
struct Piece {
  enum class Kind { literal, interp, if_, else_, endif, for_, endfor } kind;
  std::string text; // literal
  ExprPtr expr;     // interp: the expression; if_: condition; for_: collection
  std::string key_var, value_var;
  Range range;
  bool strip_before = false;
  bool strip_after = false;
  bool line_start = false; // literal: begins a line of a heredoc
};

class Parser {
public:
  explicit Parser(std::vector<Token> tokens) : m_tokens(std::move(tokens)) {}

  Result<void> parse_body(Body& body, TokenKind end) {
    m_newlines.push_back(true);
    std::map<std::string, Range, std::less<>> seen;
    while (true) {
      skip_newlines();
      const Token& t = peek_raw();
      if (t.kind == end)
        break;
      if (t.kind != TokenKind::ident)
        return error(t, "Argument or block definition required; an argument or block "
                        "definition is required here, found " +
                            std::string(describe(t.kind)));
      const Token& after = m_tokens[std::min(m_pos + 1, m_tokens.size() - 1)];
      if (after.kind == TokenKind::equal) {
        Attribute a = TRY(parse_attribute(end));
        if (auto it = seen.find(a.name); it != seen.end())
          return error_at(a.name_range, "Attribute redefined; the argument \"" + a.name +
                                            "\" was already set at line " +
                                            std::to_string(it->second.begin.line));
        seen.emplace(a.name, a.name_range);
        body.attributes.push_back(std::move(a));
      } else {
        body.blocks.push_back(TRY(parse_block(end)));
      }
    }
    m_newlines.pop_back();
    return {};
  }

  Result<ExprPtr> parse_whole_expression() {
    m_newlines.push_back(false);
    ExprPtr e = TRY(parse_expr());
    if (peek().kind != TokenKind::eof)
      return error(peek(), "Extra characters after expression; an expression was "
                           "successfully parsed, but extra characters were found after it");
    return e;
  }

  Result<ExprPtr> parse_bare_template() {
    Range r = peek_raw().range;
    return parse_template_until(TokenKind::eof, false, r);
  }

  const Token& peek_raw() const { return m_tokens[std::min(m_pos, m_tokens.size() - 1)]; }

private:
  std::vector<Token> m_tokens;
  size_t m_pos = 0;
  std::vector<bool> m_newlines; // top: do newlines end the current construct?
  int m_depth = 0;

  struct DepthGuard {
    int& depth;
    explicit DepthGuard(int& d) : depth(d) { ++depth; }
    ~DepthGuard() { --depth; }
  };

  bool newlines_matter() const { return m_newlines.empty() || m_newlines.back(); }

  const Token& peek() {
    if (!newlines_matter())
      skip_newlines();
    return peek_raw();
  }

  const Token& next() {
    const Token& t = peek();
    if (m_pos < m_tokens.size() - 1)
      ++m_pos;
    return t;
  }

  void skip_newlines() {
    while (m_pos < m_tokens.size() - 1 && m_tokens[m_pos].kind == TokenKind::newline)
      ++m_pos;
  }

  bool accept(TokenKind kind) {
    if (peek().kind != kind)
      return false;
    next();
    return true;
  }

  bool peek_keyword(std::string_view word) {
    const Token& t = peek();
    return t.kind == TokenKind::ident && t.text == word;
  }

  tl::unexpected<Error> error(const Token& t, std::string_view message) const {
    return tl::unexpected(make_error(t.range, message));
  }
  tl::unexpected<Error> error_at(const Range& r, std::string_view message) const {
    return tl::unexpected(make_error(r, message));
  }

  Result<const Token*> expect(TokenKind kind, std::string_view context) {
    const Token& t = peek();
    if (t.kind != kind)
      return error(t, "Missing " + std::string(describe(kind)) + "; expected " +
                          std::string(describe(kind)) + " " + std::string(context) +
                          ", found " + std::string(describe(t.kind)));
    next();
    return &t;
  }

  static Range span(const Range& a, const Range& b) { return Range{a.file, a.begin, b.end}; }

  // An attribute or block ends at a newline, at the end of the file, or
  // just before the brace closing a one-line block.
  Result<void> expect_end_of_item(TokenKind end, std::string_view what) {
    const Token& t = peek_raw();
    if (t.kind == TokenKind::newline) {
      ++m_pos;
      return {};
    }
    if (t.kind == TokenKind::eof || t.kind == end)
      return {};
    return error(t, "Missing newline after " + std::string(what) +
                        "; an argument or block definition must end with a newline");
  }

  Result<Attribute> parse_attribute(TokenKind end) {
    const Token& name = next();
    next(); // '='
    Attribute a;
    a.name = std::string(name.text);
    a.name_range = name.range;
    a.expr = TRY(parse_expr());
    a.range = span(name.range, a.expr->range);
    TRY_VOID(expect_end_of_item(end, "argument definition"));
    return a;
  }

  Result<Block> parse_block(TokenKind end) {
    const Token& type = next();
    Block b;
    b.type = std::string(type.text);
    while (true) {
      const Token& t = peek_raw();
      if (t.kind == TokenKind::ident) {
        next();
        b.labels.emplace_back(t.text);
        b.label_ranges.push_back(t.range);
      } else if (t.kind == TokenKind::oquote) {
        b.labels.push_back(TRY(parse_label()));
        b.label_ranges.push_back(t.range);
      } else {
        break;
      }
    }
    const Token& open = peek_raw();
    if (open.kind != TokenKind::lbrace)
      return error(open, "Invalid block definition; either a quoted string block label or "
                         "an opening brace (\"{\") is expected here");
    next();
    b.body = std::make_unique<Body>();
    b.body->range = open.range;
    TRY_VOID(parse_body(*b.body, TokenKind::rbrace));
    const Token& close = next();
    b.range = span(type.range, close.range);
    TRY_VOID(expect_end_of_item(end, "block definition"));
    return b;
  }

  Result<std::string> parse_label() {
    const Token& open = next();
    std::string label;
    while (peek_raw().kind == TokenKind::string_lit)
      label += next().value;
    if (peek_raw().kind != TokenKind::cquote)
      return error(open, "Invalid block label; template sequences are not allowed in block "
                         "labels");
    next();
    return label;
  }

  // --- expressions -------------------------------------------------------

  Result<ExprPtr> parse_expr() {
    DepthGuard guard(m_depth);
    if (m_depth > k_max_depth)
      return error(peek(), "Expression too deeply nested");
    ExprPtr cond = TRY(parse_binary(0));
    if (peek().kind != TokenKind::question)
      return cond;
    next();
    auto c = std::make_unique<ConditionalExpr>(cond->range);
    c->cond = std::move(cond);
    c->then_expr = TRY(parse_expr());
    TRY(expect(TokenKind::colon, "between the results of a conditional expression"));
    c->else_expr = TRY(parse_expr());
    c->range = span(c->cond->range, c->else_expr->range);
    return ExprPtr(std::move(c));
  }

  static int precedence(TokenKind k, BinaryOp& op) {
    switch (k) {
    case TokenKind::or_or:
      op = BinaryOp::logical_or;
      return 0;
    case TokenKind::and_and:
      op = BinaryOp::logical_and;
      return 1;
    case TokenKind::eq_eq:
      op = BinaryOp::equal;
      return 2;
    case TokenKind::bang_eq:
      op = BinaryOp::not_equal;
      return 2;
    case TokenKind::less:
      op = BinaryOp::less;
      return 3;
    case TokenKind::less_eq:
      op = BinaryOp::less_equal;
      return 3;
    case TokenKind::greater:
      op = BinaryOp::greater;
      return 3;
    case TokenKind::greater_eq:
      op = BinaryOp::greater_equal;
      return 3;
    case TokenKind::plus:
      op = BinaryOp::add;
      return 4;
    case TokenKind::minus:
      op = BinaryOp::subtract;
      return 4;
    case TokenKind::star:
      op = BinaryOp::multiply;
      return 5;
    case TokenKind::slash:
      op = BinaryOp::divide;
      return 5;
    case TokenKind::percent:
      op = BinaryOp::modulo;
      return 5;
    default:
      return -1;
    }
  }

  // Left-associative precedence climbing from level `min_level` upwards.
  Result<ExprPtr> parse_binary(int min_level) {
    ExprPtr lhs = TRY(parse_unary());
    while (true) {
      BinaryOp op{};
      int level = precedence(peek().kind, op);
      if (level < min_level || level < 0)
        return lhs;
      next();
      ExprPtr rhs = TRY(parse_binary(level + 1));
      Range r = span(lhs->range, rhs->range);
      lhs = std::make_unique<BinaryExpr>(r, op, std::move(lhs), std::move(rhs));
    }
  }

  Result<ExprPtr> parse_unary() {
    const Token& t = peek();
    if (t.kind != TokenKind::minus && t.kind != TokenKind::bang)
      return parse_postfix();
    next();
    DepthGuard guard(m_depth);
    if (m_depth > k_max_depth)
      return error(t, "Expression too deeply nested");
    ExprPtr operand = TRY(parse_unary());
    Range r = span(t.range, operand->range);
    if (t.kind == TokenKind::minus && operand->kind == ExprKind::literal) {
      // Fold "-1" into a literal so it prints and compares as a number.
      auto* lit = static_cast<LiteralExpr*>(operand.get());
      if (lit->value.is_number())
        return ExprPtr(std::make_unique<LiteralExpr>(r, Value::number(-lit->value.as_number())));
    }
    UnaryOp op = t.kind == TokenKind::minus ? UnaryOp::negate : UnaryOp::logical_not;
    return ExprPtr(std::make_unique<UnaryExpr>(r, op, std::move(operand)));
  }

  Result<ExprPtr> parse_postfix() {
    ExprPtr e = TRY(parse_primary());
    while (true) {
      const Token& t = peek_raw();
      if (t.kind == TokenKind::dot) {
        const Token& after = m_tokens[std::min(m_pos + 1, m_tokens.size() - 1)];
        if (after.kind == TokenKind::star) {
          m_pos += 2;
          e = TRY(parse_splat(std::move(e), t.range, true));
          continue;
        }
        e = TRY(parse_traversal_step(std::move(e)));
        continue;
      }
      if (t.kind == TokenKind::lbrack) {
        if (m_tokens[std::min(m_pos + 1, m_tokens.size() - 1)].kind == TokenKind::star &&
            m_tokens[std::min(m_pos + 2, m_tokens.size() - 1)].kind == TokenKind::rbrack) {
          m_pos += 3;
          e = TRY(parse_splat(std::move(e), t.range, false));
          continue;
        }
        e = TRY(parse_traversal_step(std::move(e)));
        continue;
      }
      return e;
    }
  }

  // One `.name`, `.0` or `[key]` applied to `source`.
  Result<ExprPtr> parse_traversal_step(ExprPtr source) {
    const Token& t = next();
    if (t.kind == TokenKind::dot) {
      const Token& name = next();
      Range r = span(source->range, name.range);
      if (name.kind == TokenKind::ident)
        return ExprPtr(std::make_unique<GetAttrExpr>(r, std::move(source), std::string(name.text)));
      if (name.kind == TokenKind::number && name.text.find_first_not_of("0123456789") ==
                                                std::string_view::npos) {
        auto key = std::make_unique<LiteralExpr>(name.range,
                                                 Value::number(*Number::parse(name.text)));
        return ExprPtr(std::make_unique<IndexExpr>(r, std::move(source), std::move(key)));
      }
      return error(name, "Invalid attribute name; an attribute name is required after a dot");
    }
    m_newlines.push_back(false);
    ExprPtr key = TRY(parse_expr());
    const Token* close = TRY(expect(TokenKind::rbrack, "to close the index"));
    m_newlines.pop_back();
    Range r = span(source->range, close->range);
    return ExprPtr(std::make_unique<IndexExpr>(r, std::move(source), std::move(key)));
  }

  Result<ExprPtr> parse_splat(ExprPtr source, Range star, bool attr_only) {
    auto splat = std::make_unique<SplatExpr>(span(source->range, star), std::move(source));
    ExprPtr each = std::make_unique<SplatItemExpr>(star);
    while (true) {
      const Token& t = peek_raw();
      bool is_attr = t.kind == TokenKind::dot &&
                     m_tokens[std::min(m_pos + 1, m_tokens.size() - 1)].kind != TokenKind::star;
      bool is_index = !attr_only && t.kind == TokenKind::lbrack &&
                      m_tokens[std::min(m_pos + 1, m_tokens.size() - 1)].kind != TokenKind::star;
      if (!is_attr && !is_index)
        break;
      each = TRY(parse_traversal_step(std::move(each)));
    }
    splat->range = span(splat->range, each->range);
    splat->each = std::move(each);
    return ExprPtr(std::move(splat));
  }

  Result<ExprPtr> parse_primary() {
    const Token& t = peek();
    switch (t.kind) {
    case TokenKind::number: {
      next();
      auto n = Number::parse(t.text);
      if (!n)
        return error(t, "Invalid number literal");
      return ExprPtr(std::make_unique<LiteralExpr>(t.range, Value::number(*n)));
    }
    case TokenKind::ident:
      return parse_ident();
    case TokenKind::oquote:
      next();
      return parse_template_until(TokenKind::cquote, false, t.range);
    case TokenKind::oheredoc:
      next();
      return parse_template_until(TokenKind::cheredoc, t.flush, t.range);
    case TokenKind::lparen: {
      next();
      m_newlines.push_back(false);
      ExprPtr e = TRY(parse_expr());
      TRY(expect(TokenKind::rparen, "to close the parentheses"));
      m_newlines.pop_back();
      return e;
    }
    case TokenKind::lbrack:
      return parse_tuple();
    case TokenKind::lbrace:
      return parse_object();
    default:
      return error(t, "Invalid expression; expected the start of an expression, but found " +
                          std::string(describe(t.kind)));
    }
  }

  Result<ExprPtr> parse_ident() {
    const Token& t = next();
    if (t.text == "true" || t.text == "false")
      return ExprPtr(std::make_unique<LiteralExpr>(t.range, Value::boolean(t.text == "true")));
    if (t.text == "null")
      return ExprPtr(std::make_unique<LiteralExpr>(t.range, Value()));
    if (peek_raw().kind != TokenKind::lparen)
      return ExprPtr(std::make_unique<VariableExpr>(t.range, std::string(t.text)));
    next();
    auto call = std::make_unique<CallExpr>(t.range, std::string(t.text));
    m_newlines.push_back(false);
    while (peek().kind != TokenKind::rparen) {
      call->args.push_back(TRY(parse_expr()));
      if (accept(TokenKind::ellipsis)) {
        call->expand_final = true;
        if (peek().kind != TokenKind::rparen)
          return error(peek(), "Missing closing parenthesis; an expanded function argument "
                               "(with ...) must be the last argument");
        break;
      }
      if (!accept(TokenKind::comma))
        break;
    }
    const Token* close = TRY(expect(TokenKind::rparen, "to close the function call"));
    m_newlines.pop_back();
    call->range = span(t.range, close->range);
    return ExprPtr(std::move(call));
  }

  // After an opening bracket or brace: is this a `for` expression?
  bool at_for_keyword() {
    const Token& t = peek();
    return t.kind == TokenKind::ident && t.text == "for" &&
           m_tokens[std::min(m_pos + 1, m_tokens.size() - 1)].kind == TokenKind::ident;
  }

  Result<ExprPtr> parse_tuple() {
    const Token& open = next();
    m_newlines.push_back(false);
    if (at_for_keyword())
      return parse_for(open, TokenKind::rbrack);
    auto tuple = std::make_unique<TupleExpr>(open.range);
    while (peek().kind != TokenKind::rbrack) {
      tuple->items.push_back(TRY(parse_expr()));
      if (!accept(TokenKind::comma))
        break;
    }
    const Token* close = TRY(expect(TokenKind::rbrack, "to close the tuple"));
    m_newlines.pop_back();
    tuple->range = span(open.range, close->range);
    return ExprPtr(std::move(tuple));
  }

  Result<ExprPtr> parse_object() {
    const Token& open = next();
    m_newlines.push_back(false);
    if (at_for_keyword())
      return parse_for(open, TokenKind::rbrace);
    m_newlines.back() = true;
    auto obj = std::make_unique<ObjectExpr>(open.range);
    while (true) {
      skip_newlines();
      if (peek_raw().kind == TokenKind::rbrace)
        break;
      ExprPtr key = TRY(parse_object_key());
      if (!accept(TokenKind::equal) && !accept(TokenKind::colon))
        return error(peek(), "Missing key/value separator; expected an equals sign (\"=\") "
                             "to mark the beginning of the attribute value");
      ExprPtr value = TRY(parse_expr());
      obj->items.emplace_back(std::move(key), std::move(value));
      const Token& sep = peek_raw();
      if (sep.kind == TokenKind::comma || sep.kind == TokenKind::newline) {
        next();
        continue;
      }
      if (sep.kind != TokenKind::rbrace)
        return error(sep, "Missing attribute separator; expected a newline or comma to mark "
                          "the end of an attribute");
    }
    const Token& close = next();
    m_newlines.pop_back();
    obj->range = span(open.range, close.range);
    return ExprPtr(std::move(obj));
  }

  // A bare identifier key is a literal string, not a variable reference;
  // `(name)` is how HCL asks for the variable's value instead.
  Result<ExprPtr> parse_object_key() {
    bool parenthesized = peek().kind == TokenKind::lparen;
    ExprPtr key = TRY(parse_expr());
    if (key->kind == ExprKind::variable && !parenthesized) {
      auto* v = static_cast<VariableExpr*>(key.get());
      return ExprPtr(std::make_unique<LiteralExpr>(v->range, Value::string(v->name)));
    }
    return key;
  }

  Result<void> parse_for_vars(std::string& key_var, std::string& value_var) {
    const Token& first = next();
    if (first.kind != TokenKind::ident)
      return error(first, "Invalid 'for' expression; an iterator variable name is required");
    value_var = std::string(first.text);
    if (accept(TokenKind::comma)) {
      const Token& second = next();
      if (second.kind != TokenKind::ident)
        return error(second, "Invalid 'for' expression; a value variable name is required");
      key_var = value_var;
      value_var = std::string(second.text);
    }
    if (!peek_keyword("in"))
      return error(peek(), "Invalid 'for' expression; the 'in' keyword is required after the "
                           "iterator variable names");
    next();
    return {};
  }

  Result<ExprPtr> parse_for(const Token& open, TokenKind close_kind) {
    next(); // "for"
    auto f = std::make_unique<ForExpr>(open.range);
    TRY_VOID(parse_for_vars(f->key_var, f->value_var));
    f->collection = TRY(parse_expr());
    TRY(expect(TokenKind::colon, "after the 'for' collection"));
    ExprPtr first = TRY(parse_expr());
    if (close_kind == TokenKind::rbrace) {
      TRY(expect(TokenKind::fat_arrow, "between key and value of an object 'for' expression"));
      f->key_expr = std::move(first);
      f->value_expr = TRY(parse_expr());
      f->group = accept(TokenKind::ellipsis);
    } else {
      f->value_expr = std::move(first);
    }
    if (peek_keyword("if")) {
      next();
      f->cond = TRY(parse_expr());
    }
    const Token* close = TRY(expect(close_kind, "to close the 'for' expression"));
    m_newlines.pop_back();
    f->range = span(open.range, close->range);
    return ExprPtr(std::move(f));
  }

  // --- templates ---------------------------------------------------------

  Result<ExprPtr> parse_template_until(TokenKind end, bool flush, Range open) {
    std::vector<Piece> pieces;
    bool heredoc = end == TokenKind::cheredoc;
    while (true) {
      const Token& t = peek_raw();
      if (t.kind == end)
        break;
      if (t.kind == TokenKind::string_lit) {
        next();
        bool line_start = heredoc && (pieces.empty() || (pieces.back().kind ==
                                                              Piece::Kind::literal &&
                                                          !pieces.back().text.empty() &&
                                                          pieces.back().text.back() == '\n'));
        pieces.push_back(Piece{Piece::Kind::literal, t.value, nullptr, {}, {}, t.range, false,
                               false, line_start});
      } else if (t.kind == TokenKind::template_interp || t.kind == TokenKind::template_control) {
        pieces.push_back(TRY(parse_template_sequence()));
      } else {
        return error(t, "Unterminated template; expected " + std::string(describe(end)));
      }
    }
    const Token& close = next();
    Range r = span(open, close.range);
    if (flush)
      remove_indentation(pieces);
    apply_strip_markers(pieces);
    size_t i = 0;
    auto tmpl = TRY(build_template(pieces, i, r));
    if (i < pieces.size())
      return error_at(pieces[i].range, "Unexpected template directive; no %{if} or %{for} is "
                                       "open here");
    return simplify_template(std::move(tmpl), r);
  }

  // `${ expr }` or `%{ directive }` as one flat piece.
  Result<Piece> parse_template_sequence() {
    const Token& open = next();
    Piece p{};
    p.range = open.range;
    p.strip_before = open.strip;
    m_newlines.push_back(false);
    if (open.kind == TokenKind::template_interp) {
      p.kind = Piece::Kind::interp;
      p.expr = TRY(parse_expr());
    } else {
      TRY_VOID(parse_directive(p));
    }
    const Token& close = peek();
    if (close.kind != TokenKind::template_seq_end)
      return error(close, "Extra characters in template sequence; expected \"}\" to end it");
    next();
    m_newlines.pop_back();
    p.strip_after = close.strip;
    return p;
  }

  Result<void> parse_directive(Piece& p) {
    const Token& kw = next();
    if (kw.kind == TokenKind::ident && kw.text == "if") {
      p.kind = Piece::Kind::if_;
      p.expr = TRY(parse_expr());
    } else if (kw.kind == TokenKind::ident && kw.text == "else") {
      p.kind = Piece::Kind::else_;
    } else if (kw.kind == TokenKind::ident && kw.text == "endif") {
      p.kind = Piece::Kind::endif;
    } else if (kw.kind == TokenKind::ident && kw.text == "for") {
      p.kind = Piece::Kind::for_;
      TRY_VOID(parse_for_vars(p.key_var, p.value_var));
      p.expr = TRY(parse_expr());
    } else if (kw.kind == TokenKind::ident && kw.text == "endfor") {
      p.kind = Piece::Kind::endfor;
    } else {
      return error(kw, "Invalid template directive; a template directive keyword (\"if\", "
                       "\"for\", etc) is expected at the beginning of a %{ sequence");
    }
    return {};
  }

  // `<<-` heredocs: remove the smallest indentation of the non-blank lines
  // from every line (HCL spec, "Template Expressions").
  static void remove_indentation(std::vector<Piece>& pieces) {
    size_t min_indent = std::string::npos;
    bool at_line_start = true;
    for (size_t i = 0; i < pieces.size(); ++i) {
      const Piece& p = pieces[i];
      if (p.kind != Piece::Kind::literal) {
        if (at_line_start)
          min_indent = 0; // a line starting with ${ or %{ has no indentation
        at_line_start = false;
        continue;
      }
      if (p.line_start) {
        size_t ws = p.text.find_first_not_of(" \t");
        bool blank_line = ws != std::string::npos && p.text[ws] == '\n';
        bool followed_by_sequence = ws == std::string::npos && i + 1 < pieces.size();
        if (ws != std::string::npos ? !blank_line : followed_by_sequence)
          min_indent = std::min(min_indent, ws == std::string::npos ? p.text.size() : ws);
      }
      at_line_start = !p.text.empty() && p.text.back() == '\n';
    }
    if (min_indent == std::string::npos || min_indent == 0)
      return;
    for (Piece& p : pieces) {
      if (p.kind != Piece::Kind::literal || !p.line_start)
        continue;
      size_t ws = std::min(p.text.find_first_not_of(" \t"), p.text.size());
      p.text.erase(0, std::min(ws, min_indent));
    }
  }

  // A strip marker removes all the whitespace on its side up to the next
  // non-space character or sequence. The literal text between two sequences
  // may come as several pieces (heredoc lines), so stripping carries on
  // through pieces that become empty.
  static void apply_strip_markers(std::vector<Piece>& pieces) {
    for (size_t i = 0; i < pieces.size(); ++i) {
      if (pieces[i].kind == Piece::Kind::literal)
        continue;
      if (pieces[i].strip_before)
        for (size_t j = i; j > 0 && pieces[j - 1].kind == Piece::Kind::literal; --j) {
          std::string& s = pieces[j - 1].text;
          s.erase(s.find_last_not_of(" \t\r\n") + 1);
          if (!s.empty())
            break;
        }
      if (pieces[i].strip_after)
        for (size_t j = i + 1; j < pieces.size() && pieces[j].kind == Piece::Kind::literal; ++j) {
          std::string& s = pieces[j].text;
          s.erase(0, std::min(s.size(), s.find_first_not_of(" \t\r\n")));
          if (!s.empty())
            break;
        }
    }
  }

  // Nests pieces[i..] into a TemplateExpr, stopping before an else/endif/
  // endfor that belongs to an enclosing directive.
  Result<std::unique_ptr<TemplateExpr>> build_template(std::vector<Piece>& pieces, size_t& i,
                                                       Range r) {
    auto tmpl = std::make_unique<TemplateExpr>(r);
    while (i < pieces.size()) {
      Piece& p = pieces[i];
      switch (p.kind) {
      case Piece::Kind::literal:
        if (!p.text.empty())
          tmpl->parts.push_back(std::make_unique<LiteralExpr>(p.range, Value::string(p.text)));
        ++i;
        break;
      case Piece::Kind::interp:
        tmpl->parts.push_back(std::move(p.expr));
        ++i;
        break;
      case Piece::Kind::if_:
        tmpl->parts.push_back(TRY(build_if(pieces, i)));
        break;
      case Piece::Kind::for_:
        tmpl->parts.push_back(TRY(build_for(pieces, i)));
        break;
      default:
        return tmpl;
      }
    }
    return tmpl;
  }

  Result<ExprPtr> build_if(std::vector<Piece>& pieces, size_t& i) {
    Piece& open = pieces[i++];
    auto node = std::make_unique<TemplateIfExpr>(open.range);
    node->cond = std::move(open.expr);
    node->then_part = TRY(build_template(pieces, i, open.range));
    if (i < pieces.size() && pieces[i].kind == Piece::Kind::else_) {
      ++i;
      node->else_part = TRY(build_template(pieces, i, open.range));
    }
    if (i >= pieces.size() || pieces[i].kind != Piece::Kind::endif)
      return error_at(open.range, "Unterminated template if; this %{if} has no matching "
                                  "%{endif}");
    ++i;
    return ExprPtr(std::move(node));
  }

  Result<ExprPtr> build_for(std::vector<Piece>& pieces, size_t& i) {
    Piece& open = pieces[i++];
    auto node = std::make_unique<TemplateForExpr>(open.range);
    node->key_var = open.key_var;
    node->value_var = open.value_var;
    node->collection = std::move(open.expr);
    node->body = TRY(build_template(pieces, i, open.range));
    if (i >= pieces.size() || pieces[i].kind != Piece::Kind::endfor)
      return error_at(open.range, "Unterminated template for; this %{for} has no matching "
                                  "%{endfor}");
    ++i;
    return ExprPtr(std::move(node));
  }

  // "abc" becomes a string literal and "${x}" alone yields x unchanged
  // (HCL's TemplateWrapExpr); anything else stays a template.
  static ExprPtr simplify_template(std::unique_ptr<TemplateExpr> tmpl, Range r) {
    if (tmpl->parts.empty())
      return std::make_unique<LiteralExpr>(r, Value::string(""));
    bool all_literal = std::all_of(tmpl->parts.begin(), tmpl->parts.end(),
                                   [](const ExprPtr& p) {
                                     return p->kind == ExprKind::literal &&
                                            static_cast<LiteralExpr&>(*p).value.is_string();
                                   });
    if (all_literal) {
      std::string s;
      for (const ExprPtr& p : tmpl->parts)
        s += static_cast<LiteralExpr&>(*p).value.as_string();
      return std::make_unique<LiteralExpr>(r, Value::string(std::move(s)));
    }
    ExprKind only = tmpl->parts[0]->kind;
    if (tmpl->parts.size() == 1 && only != ExprKind::template_if &&
        only != ExprKind::template_for)
      return std::make_unique<TemplateWrapExpr>(r, std::move(tmpl->parts[0]));
    return tmpl;
  }
};

} // namespace

Result<File> parse_file(std::shared_ptr<const SourceFile> source) {
  File file;
  file.source = std::move(source);
  Parser parser(TRY(lex(*file.source)));
  file.body.range = parser.peek_raw().range;
  TRY_VOID(parser.parse_body(file.body, TokenKind::eof));
  return file;
}

Result<File> parse_file(std::string name, std::string text) {
  return parse_file(std::make_shared<const SourceFile>(SourceFile{std::move(name), std::move(text)}));
}

Result<ExprPtr> parse_expression(const SourceFile& source, Pos start) {
  Parser parser(TRY(lex(source, start)));
  return parser.parse_whole_expression();
}

Result<ExprPtr> parse_template(const SourceFile& source, Pos start) {
  Parser parser(TRY(lex_template(source, start)));
  return parser.parse_bare_template();
}

} // namespace xbuild::bakefile::hcl
