#include "engine/dockerfile/flags.hpp"

#include "util/strings.hpp"

namespace xbuild::engine::dockerfile {

Result<void> Flags::parse(const std::vector<std::string>& words, const std::string& instruction) {
  for (const auto& word : words) {
    if (!util::starts_with(word, "--"))
      return fail("arg should start with -- : " + word);
    std::string body = word.substr(2);
    auto eq = body.find('=');
    std::string name = body.substr(0, eq);
    std::optional<std::string> value;
    if (eq != std::string::npos)
      value = body.substr(eq + 1);
    auto it = m_decl.find(name);
    if (it == m_decl.end()) {
      std::vector<std::string> known;
      for (const auto& [k, _] : m_decl)
        known.push_back(k);
      std::string msg = "unknown flag: --" + name + " for " + instruction;
      if (auto near = util::closest_match(name, known); !near.empty())
        msg += " (did you mean --" + near + "?)";
      else if (known.empty())
        msg += " (" + instruction + " takes no flags)";
      return fail(msg);
    }
    switch (it->second) {
    case Kind::boolean: {
      std::string v = value ? util::to_lower(*value) : "true";
      if (v != "true" && v != "false")
        return fail("expecting boolean value for flag --" + name + ", not: " + *value);
      m_values[name] = {v};
      break;
    }
    case Kind::string:
      if (!value)
        return fail("missing a value on flag: --" + name + " (write --" + name + "=VALUE)");
      if (m_values.count(name))
        return fail("duplicate flag specified: --" + name);
      m_values[name] = {*value};
      break;
    case Kind::strings:
      if (!value)
        return fail("missing a value on flag: --" + name + " (write --" + name + "=VALUE)");
      m_values[name].push_back(*value);
      break;
    }
  }
  return {};
}

std::string Flags::str(const std::string& name) const {
  auto it = m_values.find(name);
  return it == m_values.end() || it->second.empty() ? std::string() : it->second.back();
}

std::optional<bool> Flags::opt_bool(const std::string& name) const {
  if (!is_set(name))
    return std::nullopt;
  return boolean(name);
}

std::vector<std::string> Flags::strings(const std::string& name) const {
  auto it = m_values.find(name);
  return it == m_values.end() ? std::vector<std::string>{} : it->second;
}

} // namespace xbuild::engine::dockerfile
