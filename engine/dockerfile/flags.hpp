#pragma once
// Instruction flags (`--name`, `--name=value`), BuildKit's BFlags: each
// instruction declares what it accepts; anything else is an error with a
// "did you mean" suggestion.

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "util/error.hpp"

namespace xbuild::engine::dockerfile {

class Flags {
public:
  enum class Kind { string, boolean, strings };

  void add(const std::string& name, Kind kind) { m_decl[name] = kind; }
  // Parses the words as written (`--from=build`); all errors name the flag.
  Result<void> parse(const std::vector<std::string>& words, const std::string& instruction);

  bool is_set(const std::string& name) const { return m_values.count(name) > 0; }
  std::string str(const std::string& name) const;
  bool boolean(const std::string& name) const { return str(name) == "true"; }
  std::optional<bool> opt_bool(const std::string& name) const;
  std::vector<std::string> strings(const std::string& name) const;

private:
  std::map<std::string, Kind> m_decl;
  std::map<std::string, std::vector<std::string>> m_values;
};

} // namespace xbuild::engine::dockerfile
