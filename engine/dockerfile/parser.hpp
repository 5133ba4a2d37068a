#pragma once
// Dockerfile text -> syntax tree (BuildKit's frontend/dockerfile/parser).

#include <string>
#include <string_view>

#include "engine/dockerfile/ast.hpp"
#include "util/error.hpp"

namespace xbuild::engine::dockerfile {

// Parses a whole Dockerfile. `filename` is used only in error messages
// (`Dockerfile:7: …` followed by the offending source line).
Result<ParseResult> parse(std::string_view text, std::string_view filename = "Dockerfile");

// Heredoc delimiters found in one logical line (`<<EOF`, `<<-"EOF"`, `3<<X`).
Result<std::vector<Heredoc>> heredocs_from_line(std::string_view line);

// BuildKit's parseWords: whitespace-separated words; quotes group words and
// the escape character protects the next character (both are kept).
std::vector<std::string> parse_words(std::string_view rest, char escape);

// Formats `file:line: message`, then the source lines with a `>>>` marker,
// and a caret line under `highlight` when it occurs in the first line.
std::string located_error(std::string_view filename, std::string_view text, int line,
                          std::string_view message, int end_line = 0,
                          std::string_view highlight = {});

} // namespace xbuild::engine::dockerfile
