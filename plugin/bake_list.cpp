#include "plugin/bake_list.hpp"

#include <algorithm>
#include <cmath>

#include <nlohmann/json.hpp>

#include "util/strings.hpp"

namespace xbuild::plugin {
namespace {

using ordered = nlohmann::ordered_json;

// Go's json.Encoder with SetIndent("", "  "): two-space indentation, a
// trailing newline, and <, >, & escaped (SetEscapeHTML defaults to true).
// Those three characters only occur inside strings, so replacing them in
// the dump is exact.
std::string go_json(const ordered& j) {
  std::string text = j.dump(2, ' ', false, ordered::error_handler_t::replace), out;
  for (char c : text) {
    if (c == '<')
      out += "\\u003c";
    else if (c == '>')
      out += "\\u003e";
    else if (c == '&')
      out += "\\u0026";
    else
      out += c;
  }
  return out + "\n";
}

size_t display_width(const std::string& s) {
  return static_cast<size_t>(std::count_if(s.begin(), s.end(),
                                           [](char c) { return (c & 0xC0) != 0x80; }));
}

// A variable's value as one line: strings as they are, bools and numbers as
// HCL prints them, lists and objects as compact JSON.
std::string value_text(const nlohmann::json& v) {
  if (v.is_string())
    return v.get<std::string>();
  if (v.is_number_float()) {
    double d = v.get<double>();
    if (std::isfinite(d) && d == std::floor(d) && std::fabs(d) < 1e15)
      return std::to_string(static_cast<long long>(d));
  }
  return v.dump();
}

} // namespace

Result<BakeListRequest> parse_bake_list(const std::string& value) {
  BakeListRequest r;
  std::string type, format;
  if (value.find(',') == std::string::npos && value.find('=') == std::string::npos) {
    type = value;
  } else {
    auto fields = util::split(value, ',');
    for (size_t i = 0; i < fields.size(); ++i) {
      const std::string& field = fields[i];
      auto eq = field.find('=');
      if (eq == std::string::npos && i == 0) { // `targets,format=json`
        type = field;
        continue;
      }
      if (eq == std::string::npos)
        return fail("invalid --list value " + field + ": expected targets, variables or "
                    "type=targets|variables[,format=table|json]", 125);
      std::string key = util::to_lower(util::trim(field.substr(0, eq)));
      if (key == "type")
        type = field.substr(eq + 1);
      else if (key == "format")
        format = field.substr(eq + 1);
      else
        return fail("unexpected key '" + key + "' in '" + field + "' (--list takes type and format)",
                    125);
    }
  }
  if (type == "targets")
    r.type = BakeListRequest::Type::targets;
  else if (type == "variables")
    r.type = BakeListRequest::Type::variables;
  else
    return fail("invalid list type \"" + type + "\": use targets or variables", 125);
  if (format != "" && format != "table" && format != "json")
    return fail("invalid list format \"" + format + "\": use table or json", 125);
  r.json = format == "json";
  return r;
}

std::string tab_table(const std::vector<std::vector<std::string>>& rows) {
  std::vector<size_t> width;
  for (const auto& row : rows)
    for (size_t c = 0; c + 1 < row.size(); ++c) {
      width.resize(std::max(width.size(), c + 1), 1);
      width[c] = std::max(width[c], display_width(row[c]) + 1);
    }
  std::string out;
  for (const auto& row : rows) {
    for (size_t c = 0; c < row.size(); ++c) {
      out += row[c];
      if (c + 1 == row.size())
        break;
      size_t cell = (width[c] + 7) / 8 * 8;
      out.append((cell - display_width(row[c]) + 7) / 8, '\t');
    }
    out += "\n";
  }
  return out;
}

std::string list_bake_targets(const bakefile::Config& config, bool json) {
  struct Entry {
    std::string name, description;
    bool group = false;
  };
  std::vector<Entry> entries;
  for (const auto& [name, t] : config.targets) {
    auto d = t.attrs.find("description");
    entries.push_back({name, d != t.attrs.end() && d->second.is_string() ? d->second.get<std::string>() : "",
                       false});
  }
  for (const auto& [name, g] : config.groups) {
    std::vector<std::string> members = g.targets;
    std::sort(members.begin(), members.end());
    std::string d = g.description;
    if (!members.empty())
      d = d.empty() ? util::join(members, ", ") : d + " (" + util::join(members, ", ") + ")";
    entries.push_back({name, d, true});
  }
  std::stable_sort(entries.begin(), entries.end(),
                   [](const Entry& a, const Entry& b) { return a.name < b.name; });
  std::vector<std::vector<std::string>> rows{{"TARGET", "DESCRIPTION"}};
  ordered list = ordered::array();
  for (const auto& e : entries) {
    if (e.name.starts_with("_"))
      continue; // the convention for a private target
    rows.push_back({e.name, e.description});
    ordered j = {{"name", e.name}};
    if (!e.description.empty())
      j["description"] = e.description;
    if (e.group)
      j["group"] = true;
    list.push_back(std::move(j));
  }
  if (json) // buildx encodes an empty list as null (a nil slice)
    return list.empty() ? "null\n" : go_json(list);
  return tab_table(rows);
}

std::string list_bake_variables(const bakefile::Config& config, bool json) {
  auto vars = config.variables;
  std::sort(vars.begin(), vars.end(), [](const auto& a, const auto& b) { return a.name < b.name; });
  std::vector<std::vector<std::string>> rows{{"VARIABLE", "TYPE", "VALUE", "DESCRIPTION"}};
  ordered list = ordered::array();
  for (const auto& v : vars) {
    bool null = v.value.is_null();
    rows.push_back({v.name, v.type, null ? "<null>" : value_text(v.value), v.description});
    ordered j = {{"name", v.name}};
    if (!v.description.empty())
      j["description"] = v.description;
    if (!v.type.empty())
      j["type"] = v.type;
    if (!null)
      j["value"] = value_text(v.value);
    list.push_back(std::move(j));
  }
  return json ? go_json(list) : tab_table(rows);
}

} // namespace xbuild::plugin
