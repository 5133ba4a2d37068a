#pragma once
// Shell-word expansion with the semantics of BuildKit's Dockerfile lexer
// (frontend/dockerfile/shell/lex.go): quotes, escapes, $v / ${v} and the
// parameter forms :- - :+ + :? ? # ## % %% / //, plus word splitting.

#include <functional>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "util/error.hpp"

namespace xbuild::engine::dockerfile {

// Looks a variable up; nullopt means "unset" (distinct from set-but-empty).
using EnvLookup = std::function<std::optional<std::string>(std::string_view name)>;

struct ShellOptions {
  char escape = '\\';
  bool raw_quotes = false;        // keep quote characters in the output
  bool raw_escapes = false;       // keep escape characters in the output
  bool skip_unset = false;        // leave references to unset variables as written
  bool skip_process_quotes = false;
};

struct ExpandResult {
  std::string word;                 // the whole input as one string
  std::vector<std::string> words;   // the input split into shell words
  std::set<std::string> matched;    // variables referenced that were set
  std::set<std::string> unmatched;  // unset variables used without :- - :+ + :? ?
};

// Expands `input`; errors carry BuildKit's message ("failed to process …").
Result<ExpandResult> expand(std::string_view input, const EnvLookup& env,
                            const ShellOptions& options = {});

// Convenience wrappers matching BuildKit's ProcessWord / ProcessWords.
Result<std::string> expand_word(std::string_view input, const EnvLookup& env,
                                const ShellOptions& options = {});
Result<std::vector<std::string>> expand_words(std::string_view input, const EnvLookup& env,
                                              const ShellOptions& options = {});

// An EnvLookup over a list of KEY=VALUE strings (last one wins).
EnvLookup env_from_list(const std::vector<std::pair<std::string, std::string>>& vars);

// Shell pattern matching used by ${v#p} and friends: `*` any run of
// characters, `?` one character, `\` escapes `*`, `?` and `\`.
// Exposed for tests. Returns false on an invalid escape.
bool shell_pattern_match(std::string_view pattern, std::string_view text);

} // namespace xbuild::engine::dockerfile
