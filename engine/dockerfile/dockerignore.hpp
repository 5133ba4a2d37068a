#pragma once
// `.dockerignore`: which context paths are never sent to the build.

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "util/error.hpp"

namespace xbuild::engine::dockerfile {

// Patterns of an ignore file: comments and blank lines dropped, each pattern
// trimmed and cleaned (`./a/../b` → `b`, leading `/` removed), `!` kept.
std::vector<std::string> read_ignore_patterns(std::string_view text);

// Compiled patterns; the last pattern that matches a path decides, and a
// pattern that matches a parent directory matches everything below it.
class IgnoreMatcher {
public:
  static Result<IgnoreMatcher> compile(const std::vector<std::string>& patterns);
  // `path` is relative to the context root, `/`-separated.
  bool excluded(std::string_view path) const;
  bool empty() const { return m_patterns.empty(); }
  // Some `!` pattern exists: an excluded directory may still hold included
  // paths, so walkers must look inside it (as Docker's context walk does).
  bool has_exceptions() const;

private:
  struct Pattern;
  std::vector<std::shared_ptr<const Pattern>> m_patterns;
};

// The ignore file that applies: `<Dockerfile>.dockerignore` next to the
// Dockerfile wins over `<context>/.dockerignore`; nullopt when neither exists.
std::optional<std::filesystem::path> find_ignore_file(const std::filesystem::path& context,
                                                      const std::filesystem::path& dockerfile);


} // namespace xbuild::engine::dockerfile
