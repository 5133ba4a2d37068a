#pragma once
// CLI11 helpers shared by the command files (include only from .cpp files).

#include <string>
#include <vector>

#include <CLI/CLI.hpp>

namespace xbuild::plugin {

// A repeatable flag that takes one value per occurrence, like cobra's
// stringArray: `--platform a --platform b` → {a, b}; never swallows the
// positional argument that follows.
inline CLI::Option* add_array(CLI::App& app, const std::string& names,
                              std::vector<std::string>& into, const std::string& help) {
  return app.add_option(names, into, help)
      ->expected(1)
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll)
      ->allow_extra_args(false);
}

} // namespace xbuild::plugin
