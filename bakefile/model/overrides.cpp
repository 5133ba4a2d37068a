#include "bakefile/model/overrides.hpp"

#include <fnmatch.h>

#include <algorithm>

#include "util/strings.hpp"

namespace xbuild::bakefile {

using nlohmann::json;

namespace {

bool is_map_key(const std::string& k) {
  return k == "args" || k == "labels" || k == "contexts" || k == "extra-hosts";
}

bool is_list_key(const std::string& k) {
  return k == "tags" || k == "platform" || k == "output" || k == "cache-from" ||
         k == "cache-to" || k == "secrets" || k == "ssh" || k == "attest" ||
         k == "annotations" || k == "entitlements" || k == "no-cache-filter" || k == "ulimits";
}

bool is_bool_key(const std::string& k) {
  return k == "no-cache" || k == "pull" || k == "push" || k == "load";
}

bool is_string_key(const std::string& k) {
  return k == "context" || k == "dockerfile" || k == "target" || k == "call" ||
         k == "network" || k == "shm-size";
}

// Keys `+=` works on (AddOverrides), plus those that always append.
bool supports_append(const std::string& k) {
  return k == "tags" || k == "platform" || k == "cache-from" || k == "cache-to" ||
         k == "output" || k == "secrets" || k == "ssh" || k == "annotations" || k == "attest" ||
         k == "entitlements";
}

// The target attribute a --set key writes.
std::string attribute_of(const std::string& key) {
  if (key == "platform")
    return "platforms";
  if (key == "secrets")
    return "secret";
  return key;
}

Result<bool> parse_bool(const std::string& v, const std::string& key) {
  if (v == "true" || v == "1" || v == "t" || v == "T" || v == "TRUE" || v == "True")
    return true;
  if (v == "false" || v == "0" || v == "f" || v == "F" || v == "FALSE" || v == "False")
    return false;
  return fail("invalid value " + v + " for boolean key " + key);
}

// buildx setPushOverride: push=true sets push on image outputs and adds an
// image push when every output is a docker one (or there is none);
// push=false drops registry outputs and sets push=false on image ones.
void set_push(json& outputs, bool on) {
  if (!on) {
    for (size_t i = 0; i < outputs.size();) {
      std::string type = outputs[i].value("type", "");
      if (type == "registry") {
        std::swap(outputs[i], outputs[outputs.size() - 1]); // buildx's swap-with-last
        outputs.erase(outputs.size() - 1);
        continue;
      }
      if (type == "image")
        outputs[i]["push"] = "false";
      ++i;
    }
    return;
  }
  bool add = true;
  for (json& o : outputs) {
    std::string type = o.value("type", "");
    if (type != "docker")
      add = false;
    if (type == "image")
      o["push"] = "true";
  }
  if (add)
    outputs.push_back({{"type", "image"}, {"push", "true"}});
}

// buildx setLoadOverride: load=true adds a docker output unless one without
// a dest exists, and only when every output is docker, image, registry or oci.
void set_load(json& outputs, bool on) {
  if (!on)
    return;
  for (const json& o : outputs) {
    std::string type = o.value("type", "");
    if (type == "docker" && !o.contains("dest"))
      return;
    if (type != "docker" && type != "image" && type != "registry" && type != "oci")
      return;
  }
  outputs.push_back({{"type", "docker"}});
}

Result<void> set_output_flag(Target& t, const std::string& key, bool on) {
  json& outputs = t.attrs["output"];
  if (!outputs.is_array())
    outputs = json::array();
  if (key == "push")
    set_push(outputs, on);
  else
    set_load(outputs, on);
  return {};
}

Result<void> apply_one(Target& t, const Override& o) {
  std::string attr = attribute_of(o.key);
  if (is_map_key(o.key)) {
    json& m = t.attrs[attr];
    if (!m.is_object())
      m = json::object();
    m[o.sub] = o.values.back();
    return {};
  }
  if (is_bool_key(o.key)) {
    bool b = TRY(parse_bool(o.values.back(), o.key));
    if (o.key == "push" || o.key == "load")
      return set_output_flag(t, o.key, b);
    t.attrs[attr] = b;
    return {};
  }
  if (is_string_key(o.key)) {
    t.attrs[attr] = o.values.back();
    return {};
  }
  const AttrSpec* spec = find_attribute(attr);
  json items = json::array();
  for (const std::string& v : o.values) {
    bool composable = spec && spec->kind == AttrKind::composable_list;
    if (composable && v.empty())
      continue; // `app.output=` clears the list (TestOverrideEmpty, #2858)
    items.push_back(composable ? TRY(parse_composable(attr, v)) : json(v));
  }
  json& current = t.attrs[attr];
  bool always_append = o.key == "annotations" || o.key == "attest" || o.key == "entitlements";
  if ((o.append || always_append) && current.is_array())
    for (json& e : items)
      current.push_back(std::move(e));
  else
    current = std::move(items);
  return {};
}

} // namespace

Result<std::vector<Override>> parse_overrides(const std::vector<std::string>& sets,
                                              const std::map<std::string, std::string>& env) {
  std::vector<Override> out;
  for (const std::string& s : sets) {
    size_t eq = s.find('=');
    bool append = eq != std::string::npos && eq > 0 && s[eq - 1] == '+';
    std::string lhs = s.substr(0, eq == std::string::npos ? s.size() : (append ? eq - 1 : eq));
    std::vector<std::string> parts = util::split(lhs, '.');
    if (parts.size() < 2)
      return fail("invalid override key " + lhs + ", expected target.name");
    Override o;
    o.pattern = parts[0];
    o.key = util::to_lower(parts[1]);
    o.append = append;
    if (is_map_key(o.key)) {
      if (parts.size() != 3)
        return fail("invalid format for " + o.key + ", expecting " + o.key + ".<name>=<value>");
      o.sub = parts[2];
    } else if (parts.size() != 2 || (!is_list_key(o.key) && !is_bool_key(o.key) &&
                                     !is_string_key(o.key))) {
      return fail("unknown key: " + parts[1]);
    }
    if (eq == std::string::npos) {
      // `args.K` alone takes K from the environment, or is skipped.
      if (o.key != "args")
        return fail("invalid override " + s + ", expected target.name=value");
      auto it = env.find(o.sub);
      if (it == env.end())
        continue;
      o.values = {it->second};
    } else {
      o.values = {s.substr(eq + 1)};
    }
    if (append && !supports_append(o.key))
      return fail("invalid key " + o.key + ", " + o.key + " does not support append");
    // Repeating a list key accumulates its values.
    auto same = std::find_if(out.begin(), out.end(), [&](const Override& p) {
      return p.pattern == o.pattern && p.key == o.key && p.sub == o.sub && is_list_key(o.key) &&
             p.append == o.append;
    });
    if (same != out.end())
      same->values.push_back(o.values[0]);
    else
      out.push_back(std::move(o));
  }
  return out;
}

Result<void> apply_overrides(Target& t, const std::vector<Override>& overrides) {
  for (const Override& o : overrides)
    if (fnmatch(o.pattern.c_str(), t.name.c_str(), 0) == 0)
      TRY_VOID(apply_one(t, o));
  return {};
}

Result<void> check_override_patterns(const Config& config, const std::vector<Override>& overrides) {
  for (const Override& o : overrides) {
    bool any = std::any_of(config.targets.begin(), config.targets.end(), [&](const auto& kv) {
      return fnmatch(o.pattern.c_str(), kv.first.c_str(), 0) == 0;
    });
    if (!any)
      return fail("could not find any target matching '" + o.pattern + "'");
  }
  return {};
}

} // namespace xbuild::bakefile
