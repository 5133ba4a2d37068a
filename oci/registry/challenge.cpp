// Parsing WWW-Authenticate is a small tokenizer: a challenge is a scheme
// token followed by comma-separated `name=value` parameters (value a token or
// a quoted string with backslash escapes). A token after a comma that is not
// followed by '=' starts the next challenge, which is how several challenges
// share one header line.

#include "oci/registry/challenge.hpp"

#include <algorithm>
#include <cctype>

#include "util/strings.hpp"

namespace xbuild::oci::registry {
namespace {

class Tokenizer {
public:
  explicit Tokenizer(std::string_view s) : m_s(s) {}

  void skip_space_and_commas() {
    while (m_pos < m_s.size() && (std::isspace(uint8_t(m_s[m_pos])) || m_s[m_pos] == ','))
      ++m_pos;
  }
  void skip_space() {
    while (m_pos < m_s.size() && std::isspace(uint8_t(m_s[m_pos])))
      ++m_pos;
  }
  bool done() const { return m_pos >= m_s.size(); }
  char peek() const { return done() ? '\0' : m_s[m_pos]; }
  void advance() { ++m_pos; }
  size_t pos() const { return m_pos; }
  void seek(size_t p) { m_pos = p; }

  std::string token() {
    size_t start = m_pos;
    while (m_pos < m_s.size()) {
      char c = m_s[m_pos];
      if (std::isspace(uint8_t(c)) || c == ',' || c == '=' || c == '"')
        break;
      ++m_pos;
    }
    return std::string(m_s.substr(start, m_pos - start));
  }

  std::string quoted() {
    std::string out;
    advance(); // opening quote
    while (!done() && peek() != '"') {
      if (peek() == '\\' && m_pos + 1 < m_s.size())
        advance();
      out += peek();
      advance();
    }
    if (!done())
      advance(); // closing quote
    return out;
  }

private:
  std::string_view m_s;
  size_t m_pos = 0;
};

void parse_one_header(std::string_view header, std::vector<AuthChallenge>& out) {
  Tokenizer t(header);
  AuthChallenge* current = nullptr;
  while (true) {
    t.skip_space_and_commas();
    if (t.done())
      break;
    size_t start = t.pos();
    std::string name = t.token();
    if (name.empty()) { // stray character or quoted string: skip it
      if (t.peek() == '"')
        t.quoted();
      else
        t.advance();
      continue;
    }
    t.skip_space();
    // `token68` values (e.g. `Basic abc==`) also contain '='; a parameter
    // needs a name followed by '=' and a value.
    if (t.peek() == '=' && current) {
      t.advance();
      t.skip_space();
      std::string value = t.peek() == '"' ? t.quoted() : t.token();
      current->params[util::to_lower(name)] = value;
      continue;
    }
    if (t.peek() == '=' && !current) {
      t.seek(start + name.size() + 1);
      continue;
    }
    out.push_back(AuthChallenge{util::to_lower(name), {}});
    current = &out.back();
  }
}

} // namespace

std::vector<AuthChallenge> parse_www_authenticate(const std::vector<std::string>& headers) {
  std::vector<AuthChallenge> out;
  for (const auto& h : headers)
    parse_one_header(h, out);
  return out;
}

bool Scope::parse(std::string_view text, Scope& out) {
  auto first = text.find(':');
  auto last = text.rfind(':');
  if (first == std::string_view::npos || first == last)
    return false;
  out.type = std::string(text.substr(0, first));
  out.name = std::string(text.substr(first + 1, last - first - 1));
  out.actions.clear();
  for (auto& a : util::split(text.substr(last + 1), ','))
    if (!a.empty())
      out.actions.push_back(a);
  std::sort(out.actions.begin(), out.actions.end());
  out.actions.erase(std::unique(out.actions.begin(), out.actions.end()), out.actions.end());
  return !out.type.empty() && !out.name.empty();
}

std::string Scope::str() const { return type + ":" + name + ":" + util::join(actions, ","); }

std::string push_scope(std::string_view repository) {
  return "repository:" + std::string(repository) + ":pull,push";
}

std::string pull_scope(std::string_view repository) {
  return "repository:" + std::string(repository) + ":pull";
}

std::vector<std::string> merge_scopes(const std::vector<std::string>& scopes) {
  std::vector<Scope> merged;
  std::vector<std::string> unparsed;
  for (const auto& list : scopes) {
    for (const auto& item : util::split(list, ' ')) {
      if (item.empty())
        continue;
      Scope s;
      if (!Scope::parse(item, s)) {
        if (std::find(unparsed.begin(), unparsed.end(), item) == unparsed.end())
          unparsed.push_back(item);
        continue;
      }
      auto it = std::find_if(merged.begin(), merged.end(),
                             [&](const Scope& m) { return m.type == s.type && m.name == s.name; });
      if (it == merged.end()) {
        merged.push_back(s);
        continue;
      }
      it->actions.insert(it->actions.end(), s.actions.begin(), s.actions.end());
      std::sort(it->actions.begin(), it->actions.end());
      it->actions.erase(std::unique(it->actions.begin(), it->actions.end()), it->actions.end());
    }
  }
  std::vector<std::string> out;
  for (const auto& s : merged)
    out.push_back(s.str());
  out.insert(out.end(), unparsed.begin(), unparsed.end());
  return out;
}

bool scopes_cover(const std::vector<std::string>& have, const std::vector<std::string>& needed) {
  auto h = merge_scopes(have);
  for (const auto& n : merge_scopes(needed)) {
    Scope want;
    if (!Scope::parse(n, want)) {
      if (std::find(h.begin(), h.end(), n) == h.end())
        return false;
      continue;
    }
    bool found = false;
    for (const auto& hs : h) {
      Scope got;
      if (!Scope::parse(hs, got) || got.type != want.type || got.name != want.name)
        continue;
      found = std::includes(got.actions.begin(), got.actions.end(), want.actions.begin(),
                            want.actions.end());
    }
    if (!found)
      return false;
  }
  return true;
}

} // namespace xbuild::oci::registry
