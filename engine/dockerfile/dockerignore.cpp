// .dockerignore matching with moby/patternmatcher's rules.
//
// Each pattern becomes an anchored regular expression over the cleaned,
// `/`-separated path: `*` and `?` never cross a `/`, `**` spans any number
// of directories (a trailing `**` matches everything), `\` escapes. A path
// is tested against every pattern in order, and also through its parent
// directories, so `build` excludes `build/x/y`; `!pattern` re-includes, and
// the last pattern that matches wins. Patterns that cannot change the
// current verdict are skipped, as upstream does.

#include "engine/dockerfile/dockerignore.hpp"

#include <algorithm>
#include <regex>

#include "util/strings.hpp"

namespace xbuild::engine::dockerfile {

struct IgnoreMatcher::Pattern {
  std::regex re;
  bool exclusion = false;
};

std::vector<std::string> read_ignore_patterns(std::string_view text) {
  std::vector<std::string> out;
  if (util::starts_with(text, "\xEF\xBB\xBF"))
    text.remove_prefix(3);
  for (const auto& raw : util::split(text, '\n')) {
    if (util::starts_with(raw, "#"))
      continue;
    std::string p(util::trim(raw));
    if (p.empty())
      continue;
    bool invert = p[0] == '!';
    if (invert)
      p = std::string(util::trim(std::string_view(p).substr(1)));
    if (!p.empty()) {
      p = util::clean_path(p);
      if (p.size() > 1 && p[0] == '/')
        p.erase(0, 1);
    }
    out.push_back(invert ? "!" + p : p);
  }
  return out;
}

namespace {

std::string to_regex(std::string_view p) {
  std::string re = "^";
  for (size_t i = 0; i < p.size(); ++i) {
    char c = p[i];
    if (c == '*') {
      if (i + 1 < p.size() && p[i + 1] == '*') {
        ++i;
        if (i + 1 < p.size() && p[i + 1] == '/')
          ++i;
        re += i + 1 == p.size() ? ".*" : "(.*/)?";
      } else {
        re += "[^/]*";
      }
    } else if (c == '?') {
      re += "[^/]";
    } else if (c == '\\') {
      if (i + 1 < p.size()) {
        re += '\\';
        re += p[++i];
      } else {
        re += "\\\\";
      }
    } else if (c == '[') {
      // A character class passes through; `!` negation becomes `^`.
      size_t close = p.find(']', i + 1);
      if (close == std::string_view::npos) {
        re += "\\[";
        continue;
      }
      std::string cls(p.substr(i + 1, close - i - 1));
      if (!cls.empty() && cls[0] == '!')
        cls[0] = '^';
      re += "[" + cls + "]";
      i = close;
    } else if (std::string_view(".+()|{}^$]").find(c) != std::string_view::npos) {
      re += '\\';
      re += c;
    } else {
      re += c;
    }
  }
  return re + "$";
}

} // namespace

Result<IgnoreMatcher> IgnoreMatcher::compile(const std::vector<std::string>& patterns) {
  IgnoreMatcher m;
  for (const auto& raw : patterns) {
    auto p = std::make_shared<Pattern>();
    std::string text = raw;
    if (!text.empty() && text[0] == '!') {
      p->exclusion = true;
      text.erase(0, 1);
    }
    if (text.empty())
      return fail("illegal exclusion pattern: \"!\" in .dockerignore: write a path after !");
    try {
      p->re = std::regex(to_regex(text), std::regex::ECMAScript | std::regex::optimize);
    } catch (const std::regex_error&) {
      return fail("invalid .dockerignore pattern \"" + raw + "\": check its [ ] character classes");
    }
    m.m_patterns.push_back(std::move(p));
  }
  return m;
}

bool IgnoreMatcher::has_exceptions() const {
  return std::any_of(m_patterns.begin(), m_patterns.end(),
                     [](const auto& p) { return p->exclusion; });
}

bool IgnoreMatcher::excluded(std::string_view path) const {
  std::string file = util::clean_path(path);
  if (!file.empty() && file[0] == '/')
    file.erase(0, 1);
  auto dirs = util::split(file, '/');
  dirs.pop_back();
  bool matched = false;
  for (const auto& p : m_patterns) {
    if (p->exclusion != matched)
      continue;
    bool hit = std::regex_match(file, p->re);
    std::string parent;
    for (size_t i = 0; !hit && i < dirs.size(); ++i) {
      parent += (i ? "/" : "") + dirs[i];
      hit = std::regex_match(parent, p->re);
    }
    if (hit)
      matched = !p->exclusion;
  }
  return matched;
}

std::optional<std::filesystem::path> find_ignore_file(const std::filesystem::path& context,
                                                      const std::filesystem::path& dockerfile) {
  std::error_code ec;
  auto specific = dockerfile;
  specific += ".dockerignore";
  if (std::filesystem::is_regular_file(specific, ec))
    return specific;
  auto root = context / ".dockerignore";
  if (std::filesystem::is_regular_file(root, ec))
    return root;
  return std::nullopt;
}

} // namespace xbuild::engine::dockerfile
