#pragma once
// Source files and positions for HCL diagnostics. Every user-facing error of
// the HCL layer names `file:line:col`, then the source line and a caret under
// the column (STYLE.md), so positions travel with tokens and AST nodes.

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "util/error.hpp"

namespace xbuild::bakefile::hcl {

// The text of one bake file, kept alive by whatever was parsed from it.
struct SourceFile {
  std::string name; // as given by the user, e.g. "docker-bake.hcl"
  std::string text;
};

// A position in a source file. `line` and `column` are 1-based; `column`
// counts Unicode code points, as HCL does; `offset` is the byte offset.
struct Pos {
  uint32_t line = 1;
  uint32_t column = 1;
  uint32_t offset = 0;
};

// A half-open range [begin, end) in one file. `file` may be null for
// expressions built by code rather than parsed.
struct Range {
  const SourceFile* file = nullptr;
  Pos begin;
  Pos end;
};

// "file:line:col: message" followed by the source line and a caret.
std::string format_diagnostic(const Range& where, std::string_view message);
// The same, wrapped as an Error (exit code 1).
Error make_error(const Range& where, std::string_view message);

} // namespace xbuild::bakefile::hcl
