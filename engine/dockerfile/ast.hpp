#pragma once
// The Dockerfile syntax tree, shaped like BuildKit's parser.Node so that our
// dump matches BuildKit's `result` files byte for byte.

#include <memory>
#include <string>
#include <vector>

namespace xbuild::engine::dockerfile {

struct Heredoc {
  std::string name;     // the delimiter, quotes removed
  std::string content;  // the body, each line with its newline, tabs kept
  unsigned fd = 0;      // the leading file descriptor (`3<<EOF`), 0 if none
  bool expand = true;   // false when any part of the delimiter was quoted
  bool chomp = false;   // `<<-`: strip leading tabs from body lines
};

// One instruction, or one argument in an instruction's argument chain.
// Invariants: an instruction node has `value` = the keyword as written and
// its arguments in `next`; an argument node has `value` = the argument text;
// an ONBUILD argument node has one child, the wrapped instruction.
struct Node {
  std::string value;                  // keyword as written (instruction) or argument
  std::string original;               // the logical line, continuations joined
  std::vector<std::string> flags;     // `--name=value` words as written
  std::unique_ptr<Node> next;         // the next argument
  std::vector<std::unique_ptr<Node>> children;
  std::vector<Heredoc> heredocs;
  std::vector<std::string> prev_comments; // comment lines right above
  bool json = false;                  // arguments came from a JSON array
  int start_line = 0;                 // 1-based, inclusive
  int end_line = 0;

  // The argument values in order (empty for none).
  std::vector<std::string> args() const;
  // BuildKit's Node.Dump(): `(name ["--flag"] "arg" …)` lines.
  std::string dump() const;
};

struct ParseWarning {
  std::string short_text;
  std::string detail;
  std::string rule; // lint rule name, e.g. NoEmptyContinuation
  int line = 0;
};

struct Directive {
  std::string name;  // lower case
  std::string value;
  int line = 0;
};

struct ParseResult {
  Node root; // children = instructions
  std::vector<ParseWarning> warnings;
  std::vector<Directive> directives;
  char escape = '\\';
};

// Quotes like Go's strconv.Quote, for dumps and messages.
std::string go_quote(std::string_view s);

} // namespace xbuild::engine::dockerfile
