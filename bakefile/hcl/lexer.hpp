#pragma once
// The HCL native-syntax lexer: source text -> tokens, including the tokens of
// templates (quoted strings and heredocs), so the parser never looks at
// characters.

#include <vector>

#include "bakefile/hcl/source.hpp"
#include "bakefile/hcl/token.hpp"
#include "util/error.hpp"

namespace xbuild::bakefile::hcl {

// Tokens of `file`, ending with an eof token. Token text and ranges point
// into `file`, which must outlive them. Fails at the first invalid
// character, unterminated string, comment or heredoc. Lexing starts at
// `start` (by default the beginning of the file).
Result<std::vector<Token>> lex(const SourceFile& file, Pos start = {});

// Tokens of `file` read as the inside of a template (no quotes, no
// backslash escapes; `${`, `%{`, `$${` and `%%{` work): HCL's JSON strings.
Result<std::vector<Token>> lex_template(const SourceFile& file, Pos start = {});

} // namespace xbuild::bakefile::hcl
