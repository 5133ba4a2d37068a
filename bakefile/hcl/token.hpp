#pragma once
// Tokens of HCL native syntax, as produced by the lexer.

#include <string>
#include <string_view>

#include "bakefile/hcl/source.hpp"

namespace xbuild::bakefile::hcl {

enum class TokenKind {
  eof,
  newline,
  ident,
  number,
  oquote,           // " opening a quoted template
  cquote,           // " closing it
  oheredoc,         // <<EOT or <<-EOT plus its newline; value = marker
  cheredoc,         // the closing marker line
  string_lit,       // literal template text; value = decoded text
  template_interp,  // ${ (strip = "${~")
  template_control, // %{ (strip = "%{~")
  template_seq_end, // } closing an interpolation or directive (strip = "~}")
  lbrace,
  rbrace,
  lbrack,
  rbrack,
  lparen,
  rparen,
  comma,
  dot,
  colon,
  question,
  equal,
  fat_arrow,
  ellipsis,
  plus,
  minus,
  star,
  slash,
  percent,
  bang,
  eq_eq,
  bang_eq,
  less,
  less_eq,
  greater,
  greater_eq,
  and_and,
  or_or,
};

struct Token {
  TokenKind kind = TokenKind::eof;
  std::string_view text; // the raw source text of the token
  std::string value;     // decoded text of string_lit; heredoc marker of oheredoc
  Range range;
  bool strip = false; // template strip marker (~) on this token
  bool flush = false; // oheredoc: "<<-" (indentation is removed)
};

// A short human description of a token kind, for "expected X" messages.
std::string_view describe(TokenKind kind);

} // namespace xbuild::bakefile::hcl
