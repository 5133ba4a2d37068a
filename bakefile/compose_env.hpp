#pragma once
// The environment side of compose files, as compose-go reads it for bake:
// `${VAR}` interpolation of values and `.env` / `env_file` parsing.

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "util/error.hpp"

namespace xbuild::bakefile {

// Looks a variable up; nullopt when it is not set (set but empty is "").
using EnvLookup = std::function<std::optional<std::string>(const std::string&)>;

// Substitutes compose variables in `text`: `$$` is a literal `$`; `$VAR` and
// `${VAR}` are the value ("" when unset, and `unset` gets the name);
// `${VAR:-default}` / `${VAR-default}` use the default when VAR is unset or
// empty / unset; `${VAR:?message}` / `${VAR?message}` fail instead;
// `${VAR:+other}` / `${VAR+other}` give `other` when VAR is set and
// non-empty / set. Defaults and alternatives are interpolated too. The error
// message has no position (the caller adds it).
Result<std::string> interpolate(std::string_view text, const EnvLookup& lookup,
                                std::vector<std::string>* unset = nullptr);

// Parses dotenv text (`.env`, `env_file`): `KEY=VALUE` lines, optional
// `export `, `#` comments, single quotes (literal), double quotes (escapes
// and interpolation), unquoted values (trimmed, ` #` starts a comment,
// interpolated). `${VAR}` sees `lookup` first, then earlier keys of the
// same text. A bare `KEY` takes its value from `lookup` and is dropped when
// unset. Keys keep the order of the text (a repeated key: the last wins).
Result<std::vector<std::pair<std::string, std::string>>> parse_dotenv(std::string_view text,
                                                                      const EnvLookup& lookup);

} // namespace xbuild::bakefile
