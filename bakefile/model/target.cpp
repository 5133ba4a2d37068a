#include "bakefile/model/target.hpp"

#include <algorithm>
#include <optional>

#include "bakefile/hcl/type.hpp"
#include "util/strings.hpp"

namespace xbuild::bakefile {

using nlohmann::json;

const std::vector<AttrSpec>& target_attributes() {
  using K = AttrKind;
  using M = MergeRule;
  static const std::vector<AttrSpec> k_attrs = {
      {"description", K::string, M::replace},
      {"context", K::string, M::replace},
      {"contexts", K::string_map, M::per_key},
      {"dockerfile", K::string, M::replace},
      {"dockerfile-inline", K::string, M::replace, true},
      {"args", K::string_map, M::per_key, true},
      {"labels", K::string_map, M::per_key, true},
      {"annotations", K::string_list, M::append, true},
      {"tags", K::string_list, M::replace},
      {"platforms", K::string_list, M::replace},
      {"target", K::string, M::replace},
      {"cache-from", K::composable_list, M::append_dedupe},
      {"cache-to", K::composable_list, M::replace},
      {"output", K::composable_list, M::replace},
      {"secret", K::composable_list, M::append_dedupe},
      {"ssh", K::composable_list, M::keyed_by_id},
      {"attest", K::composable_list, M::keyed_by_type},
      {"pull", K::boolean, M::replace},
      {"no-cache", K::boolean, M::replace},
      {"no-cache-filter", K::string_list, M::append},
      {"network", K::string, M::replace},
      {"shm-size", K::string, M::replace},
      {"ulimits", K::string_list, M::append},
      {"extra-hosts", K::string_map, M::per_key, true},
      {"resources", K::object, M::fieldwise},
      {"call", K::string, M::replace},
      {"entitlements", K::string_list, M::append},
      {"policy", K::string_list, M::append},
  };
  return k_attrs;
}

const AttrSpec* find_attribute(std::string_view name) {
  for (const AttrSpec& a : target_attributes())
    if (a.name == name)
      return &a;
  return nullptr;
}

namespace {

// Go's encoding/csv for one line: fields may be double-quoted.
std::vector<std::string> split_csv(std::string_view s) {
  std::vector<std::string> out;
  std::string field;
  bool quoted = false;
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (quoted && c == '"' && i + 1 < s.size() && s[i + 1] == '"') {
      field += '"';
      ++i;
    } else if (c == '"') {
      quoted = !quoted;
    } else if (c == ',' && !quoted) {
      out.push_back(field);
      field.clear();
    } else {
      field += c;
    }
  }
  out.push_back(field);
  return out;
}

json parse_ssh(const std::vector<std::string>& fields) {
  // id[=path[,path...]]
  json o = json::object();
  size_t eq = fields[0].find('=');
  o["id"] = fields[0].substr(0, eq);
  if (eq != std::string::npos) {
    json paths = json::array({fields[0].substr(eq + 1)});
    for (size_t i = 1; i < fields.size(); ++i)
      paths.push_back(fields[i]);
    o["paths"] = paths;
  }
  return o;
}

// Secrets print as {id, src} or {id, env}: `type=env` turns src into env.
void normalize_secret(json& o) {
  if (o.contains("source") && !o.contains("src")) {
    o["src"] = o["source"];
    o.erase("source");
  }
  if (o.value("type", "") == "env" && o.contains("src") && !o.contains("env")) {
    o["env"] = o["src"];
    o.erase("src");
  }
  o.erase("type");
}

Result<json> composable_object(std::string_view attr, const hcl::Value::Object& obj) {
  json o = json::object();
  for (const auto& [k, v] : obj) {
    if (v.is_null())
      continue;
    if (v.is_list()) {
      json arr = json::array();
      for (const hcl::Value& e : v.as_list())
        arr.push_back(TRY(hcl::to_string_value(e)));
      o[k] = arr;
    } else if (attr == "attest" && k == "disabled" && v.is_bool()) {
      if (v.as_bool()) // printed only when true (Attest.MarshalJSON)
        o[k] = true;
    } else {
      o[k] = TRY(hcl::to_string_value(v));
    }
  }
  if (attr == "secret")
    normalize_secret(o);
  return o;
}

Result<json> string_list(const hcl::Value& v) {
  if (!v.is_list())
    return fail("list of string required, but have " + v.type_name());
  json out = json::array();
  for (const hcl::Value& e : v.as_list()) {
    if (e.is_null())
      continue;
    out.push_back(TRY(hcl::to_string_value(e)));
  }
  return out;
}

Result<json> string_map(const hcl::Value& v) {
  if (!v.is_object())
    return fail("map of string required, but have " + v.type_name());
  json out = json::object();
  for (const auto& [k, e] : v.as_object())
    out[k] = e.is_null() ? json(nullptr) : json(TRY(hcl::to_string_value(e)));
  return out;
}

Result<json> composable_list(const AttrSpec& spec, const hcl::Value& v) {
  if (!v.is_list())
    return fail("list required, but have " + v.type_name());
  json out = json::array();
  for (const hcl::Value& e : v.as_list()) {
    // Null and empty entries are skipped (buildflags eachElement: an
    // `output = [VAR]` with VAR = "" means no output, #2822).
    if (e.is_null() || (e.is_string() && e.as_string().empty()))
      continue;
    if (e.is_object())
      out.push_back(TRY(composable_object(spec.name, e.as_object())));
    else
      out.push_back(TRY(parse_composable(spec.name, TRY(hcl::to_string_value(e)))));
  }
  return out;
}

bool is_empty_string(const json& j) { return j.is_string() && j.get<std::string>().empty(); }

// Drops empty strings and repeated entries, keeping the first of each.
void dedupe(json& arr) {
  json out = json::array();
  for (const json& e : arr)
    if (std::find(out.begin(), out.end(), e) == out.end() && !is_empty_string(e))
      out.push_back(e);
  arr = std::move(out);
}

// buildx's removeDupes (util/buildflags/utils.go) for composable entries:
// walking backwards, a duplicate found after an entry is swapped with the
// last entry and cut off. The order only changes when there are duplicates,
// and it changes exactly as in buildx, so --print shows the same list.
void remove_dupes(json& arr) {
  std::vector<json> s(arr.begin(), arr.end());
  for (long i = static_cast<long>(s.size()) - 2; i >= 0; --i)
    for (size_t j = static_cast<size_t>(i) + 1; j < s.size(); ++j)
      if (s[static_cast<size_t>(i)] == s[j]) {
        std::swap(s[j], s.back());
        s.pop_back();
        break;
      }
  arr = json(std::move(s));
}

void merge_keyed(json& dst, const json& src, const char* key) {
  for (const json& e : src) {
    auto same = [&](const json& d) { return d.value(key, "") == e.value(key, ""); };
    auto it = std::find_if(dst.begin(), dst.end(), same);
    if (it != dst.end())
      *it = e;
    else
      dst.push_back(e);
  }
}

std::string escape_template(const std::string& s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if ((s[i] == '$' || s[i] == '%') && i + 1 < s.size() && s[i + 1] == '{')
      out += s[i];
    out += s[i];
  }
  return out;
}

void escape_strings(json& j) {
  if (j.is_string())
    j = escape_template(j.get<std::string>());
  else if (j.is_array() || j.is_object())
    for (auto& e : j)
      escape_strings(e);
}

} // namespace

namespace {

// Go's strconv.ParseBool.
std::optional<bool> parse_go_bool(const std::string& v) {
  if (v == "1" || v == "t" || v == "T" || v == "TRUE" || v == "true" || v == "True")
    return true;
  if (v == "0" || v == "f" || v == "F" || v == "FALSE" || v == "false" || v == "False")
    return false;
  return std::nullopt;
}

// util/buildflags/secrets.go Secret.UnmarshalText: only type (file|env),
// id, src/source and env; every field must be key=value.
Result<json> parse_secret(const std::vector<std::string>& fields) {
  json o = json::object();
  std::string type;
  for (const std::string& f : fields) {
    size_t eq = f.find('=');
    if (eq == std::string::npos)
      return fail("invalid field '" + f + "' must be a key=value pair");
    std::string key = util::to_lower(f.substr(0, eq));
    std::string value = f.substr(eq + 1);
    if (key == "type") {
      if (value != "file" && value != "env")
        return fail("unsupported secret type \"" + value + "\"");
      type = value;
    } else if (key == "id" || key == "env") {
      o[key] = value;
    } else if (key == "src" || key == "source") {
      o["src"] = value;
    } else {
      return fail("unexpected key '" + key + "' in '" + f + "'");
    }
  }
  if (type == "env" && !o.contains("env") && o.contains("src")) {
    o["env"] = o["src"];
    o.erase("src");
  }
  return o;
}

} // namespace

Result<json> parse_composable(std::string_view attr, std::string_view csv) {
  std::vector<std::string> fields = split_csv(csv);
  if (attr == "ssh")
    return parse_ssh(fields);
  if (attr == "secret")
    return parse_secret(fields);
  json o = json::object();
  for (const std::string& f : fields) {
    size_t eq = f.find('=');
    if (eq == std::string::npos) {
      if (fields.size() != 1)
        return fail("invalid value " + f + ": expected key=value");
      // A bare value: a local path for output, a registry ref for cache.
      if (attr == "output")
        return json{{"type", "local"}, {"dest", f}};
      if (attr == "cache-from" || attr == "cache-to")
        return json{{"type", "registry"}, {"ref", f}};
      return fail("invalid value " + f + ": expected key=value");
    }
    std::string key = util::to_lower(util::trim(f.substr(0, eq)));
    std::string value = f.substr(eq + 1);
    if (attr == "attest" && key == "disabled") {
      // Printed only when true (Attest.MarshalJSON).
      auto b = parse_go_bool(value);
      if (!b)
        return fail("invalid value " + f);
      if (*b)
        o[key] = true;
      else
        o.erase(key);
    } else {
      o[key] = value;
    }
  }
  if (attr == "attest" && !o.contains("type"))
    return fail("attestation type not specified");
  if (!o.contains("type"))
    return fail(std::string(attr) + " requires a type: \"" + std::string(csv) + "\"");
  return o;
}

Result<json> attribute_value(const AttrSpec& spec, const hcl::Value& v) {
  if (v.is_null())
    return json(nullptr);
  switch (spec.kind) {
  case AttrKind::string:
    return json(TRY(hcl::to_string_value(v)));
  case AttrKind::boolean:
    return json(TRY(hcl::to_bool_value(v)));
  case AttrKind::string_list:
    return string_list(v);
  case AttrKind::string_map:
    return string_map(v);
  case AttrKind::composable_list:
    return composable_list(spec, v);
  case AttrKind::object:
    if (!v.is_object())
      return fail("object required, but have " + v.type_name());
    return v.to_json();
  }
  return json(nullptr);
}

Error error_at_spot(const SourceSpot* spot, const std::string& message) {
  if (spot == nullptr || spot->position.empty())
    return Error{message, 1};
  return Error{spot->position + ": " + message + "\n" + spot->snippet, 1};
}

void merge_target(Target& dst, const Target& src) {
  for (const auto& [name, spot] : src.spots)
    dst.spots[name] = spot;
  for (const auto& [name, value] : src.attrs) {
    const AttrSpec* spec = find_attribute(name);
    auto it = dst.attrs.find(name);
    if (spec == nullptr || it == dst.attrs.end() || it->second.is_null() || value.is_null()) {
      if (!value.is_null() || it == dst.attrs.end())
        dst.attrs[name] = value;
      continue;
    }
    json& d = it->second;
    switch (spec->merge) {
    case MergeRule::replace:
      d = value;
      break;
    case MergeRule::per_key:
    case MergeRule::fieldwise:
      for (const auto& [k, v] : value.items())
        if (!v.is_null())
          d[k] = v;
      break;
    case MergeRule::append:
      for (const json& e : value)
        d.push_back(e);
      break;
    case MergeRule::append_dedupe:
      for (const json& e : value)
        d.push_back(e);
      remove_dupes(d);
      break;
    case MergeRule::keyed_by_id:
      merge_keyed(d, value, "id");
      break;
    case MergeRule::keyed_by_type:
      merge_keyed(d, value, "type");
      break;
    }
  }
}

void normalize_target(Target& t) {
  // network = "host" needs the network.host entitlement (bake.go normalize).
  if (auto n = t.attrs.find("network"); n != t.attrs.end() && n->second == "host") {
    json& ent = t.attrs["entitlements"];
    if (!ent.is_array())
      ent = json::array();
    ent.push_back("network.host");
  }
  for (auto it = t.attrs.begin(); it != t.attrs.end();) {
    const AttrSpec* spec = find_attribute(it->first);
    json& v = it->second;
    if (spec && v.is_array() && spec->kind == AttrKind::composable_list) {
      // Composable lists keep their order (buildx's Normalize methods do
      // not sort): exact duplicates go, and ssh/attest keep one entry per
      // id/type, the later one in the place of the first.
      if (spec->merge == MergeRule::keyed_by_id || spec->merge == MergeRule::keyed_by_type) {
        json keyed = json::array();
        merge_keyed(keyed, v, spec->merge == MergeRule::keyed_by_id ? "id" : "type");
        v = std::move(keyed);
      } else {
        remove_dupes(v);
      }
    } else if (spec && v.is_array()) {
      dedupe(v);
    }
    if (spec && spec->kind == AttrKind::string_map && v.is_object()) {
      // Empty named contexts are deleted (buildx bake.go).
      for (auto e = v.begin(); e != v.end();)
        e = (it->first == "contexts" && is_empty_string(*e)) ? v.erase(e) : std::next(e);
    }
    it = v.is_null() ? t.attrs.erase(it) : std::next(it);
  }
}

namespace {

// build.IsRemoteURL: an http(s) URL or what BuildKit's ParseGitRef accepts.
bool is_remote_url(std::string_view s) {
  for (std::string_view p : {"http://", "https://", "git://", "ssh://", "git@", "github.com/"})
    if (s.starts_with(p))
      return true;
  return false;
}

// buildx toBuildOpt (run before --print) writes the cleaned context back:
// path.Clean of a local path, `cwd://` stripped, remote URLs untouched.
std::string printed_context(const std::string& context) {
  if (context.starts_with("cwd://"))
    return util::clean_path(context.substr(6));
  if (is_remote_url(context))
    return context;
  return util::clean_path(context);
}

} // namespace

json print_target(const Target& t) {
  json out = json::object();
  out["context"] = ".";
  out["dockerfile"] = "Dockerfile";
  for (const auto& [name, value] : t.attrs) {
    const AttrSpec* spec = find_attribute(name);
    json v = value;
    if (v.is_object() && spec && spec->kind == AttrKind::string_map)
      for (auto e = v.begin(); e != v.end();)
        e = e->is_null() ? v.erase(e) : std::next(e);
    if (v.is_null() || (v.is_array() && v.empty()) || (v.is_object() && v.empty()))
      continue;
    if ((name == "context" || name == "dockerfile") && is_empty_string(v))
      continue; // an empty value means the default
    if (spec && spec->escape_on_print)
      escape_strings(v);
    if (name == "context")
      v = printed_context(v.get<std::string>());
    out[name] = v;
  }
  return out;
}

} // namespace xbuild::bakefile
