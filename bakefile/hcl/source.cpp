#include "bakefile/hcl/source.hpp"

#include <algorithm>

namespace xbuild::bakefile::hcl {

namespace {

// The line containing byte `offset`, without its newline.
std::string_view line_at(std::string_view text, size_t offset) {
  size_t start = std::min(offset, text.size());
  while (start > 0 && text[start - 1] != '\n')
    --start;
  size_t end = text.find('\n', start);
  if (end == std::string_view::npos)
    end = text.size();
  std::string_view line = text.substr(start, end - start);
  if (!line.empty() && line.back() == '\r')
    line.remove_suffix(1);
  return line;
}

// The caret line keeps tabs from the source line, so the caret lines up
// under the column whatever the terminal's tab width.
std::string caret_line(std::string_view line, uint32_t column) {
  std::string out;
  uint32_t col = 1;
  for (size_t i = 0; i < line.size() && col < column; ++i) {
    unsigned char c = static_cast<unsigned char>(line[i]);
    if ((c & 0xC0) == 0x80)
      continue; // UTF-8 continuation byte: same code point
    out += c == '\t' ? '\t' : ' ';
    ++col;
  }
  while (col++ < column)
    out += ' ';
  out += '^';
  return out;
}

} // namespace

std::string format_diagnostic(const Range& where, std::string_view message) {
  if (where.file == nullptr)
    return std::string(message);
  std::string out = where.file->name + ":" + std::to_string(where.begin.line) + ":" +
                    std::to_string(where.begin.column) + ": " + std::string(message);
  std::string_view line = line_at(where.file->text, where.begin.offset);
  out += "\n";
  out += line;
  out += "\n";
  out += caret_line(line, where.begin.column);
  return out;
}

Error make_error(const Range& where, std::string_view message) {
  return Error{format_diagnostic(where, message), 1};
}

} // namespace xbuild::bakefile::hcl
