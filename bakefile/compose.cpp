// Compose files → bake Config, after buildx's bake/compose.go and the parts
// of compose-go it relies on (facts, not code).
//
// compose_project.cpp turns the files into one YAML model (parse,
// normalise, interpolate, include/extends, merge); this file maps each
// service with `build` onto a target. Positions survive all steps, so every
// error names a file and line.

#include "bakefile/compose.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <regex>
#include <set>

#include "bakefile/compose_env.hpp"
#include "bakefile/compose_project.hpp"
#include "bakefile/compose_yaml.hpp"
#include "util/strings.hpp"

namespace xbuild::bakefile {

using nlohmann::json;
using yaml::error_at;
using yaml::Node;

namespace {

bool valid_target_name(const std::string& name) {
  static const std::regex k_name("^[a-zA-Z0-9_-]+$");
  return std::regex_match(name, k_name);
}

Result<std::string> scalar_string(const Node& n, std::string_view what) {
  if (n.is_scalar())
    return n.value;
  if (n.is_null())
    return std::string();
  return error_at(n, std::string(what) + " must be a string, not a " + n.type_name());
}

Result<bool> scalar_bool(const Node& n, std::string_view what) {
  if (n.is_scalar()) {
    std::string v = util::to_lower(n.value);
    if (v == "true")
      return true;
    if (v == "false")
      return false;
  }
  if (n.is_null())
    return false;
  return error_at(n, std::string(what) + " must be true or false");
}

// A list of strings; a scalar counts as one item, or (split_words) as its
// whitespace-separated words, as x-bake reads it.
Result<std::vector<std::string>> string_list(const Node& n, std::string_view what,
                                             bool split_words = false) {
  std::vector<std::string> out;
  if (n.is_null())
    return out;
  if (n.is_scalar()) {
    if (!split_words)
      return error_at(n, std::string(what) + " must be a list of strings, not a string");
    std::string word;
    for (char c : n.value + " ") {
      if (std::isspace(static_cast<unsigned char>(c))) {
        if (!word.empty())
          out.push_back(word);
        word.clear();
      } else {
        word += c;
      }
    }
    return out;
  }
  if (!n.is_sequence())
    return error_at(n, std::string(what) + " must be a list of strings, not a " + n.type_name());
  for (const Node& item : n.items)
    out.push_back(TRY(scalar_string(item, what)));
  return out;
}

// docker/go-units RAMInBytes: "128m", "1.5GB", "512" (bytes).
std::optional<double> parse_bytes(const std::string& s) {
  static const std::regex k_size(R"(^(\d+(?:\.\d+)*) ?([kKmMgGtTpP])?[iI]?[bB]?$)");
  std::smatch m;
  if (!std::regex_match(s, m, k_size))
    return std::nullopt;
  double v = std::stod(m[1].str());
  std::string unit = util::to_lower(m[2].str());
  const std::string order = "kmgtp";
  if (!unit.empty())
    v *= std::pow(1024.0, static_cast<double>(order.find(unit[0]) + 1));
  return v;
}

const std::set<std::string>& ulimit_names() {
  static const std::set<std::string> k_names = {
      "core",   "cpu",   "data", "fsize",  "locks",  "memlock",    "msgqueue", "nice",
      "nofile", "nproc", "rss",  "rtprio", "rttime", "sigpending", "stack"};
  return k_names;
}

const std::vector<std::string>& build_fields() {
  static const std::vector<std::string> k_fields = {"context",
                                                    "dockerfile",
                                                    "dockerfile_inline",
                                                    "args",
                                                    "ssh",
                                                    "labels",
                                                    "cache_from",
                                                    "cache_to",
                                                    "no_cache",
                                                    "additional_contexts",
                                                    "network",
                                                    "provenance",
                                                    "sbom",
                                                    "pull",
                                                    "target",
                                                    "shm_size",
                                                    "extra_hosts",
                                                    "isolation",
                                                    "privileged",
                                                    "secrets",
                                                    "tags",
                                                    "ulimits",
                                                    "platforms",
                                                    "entitlements"};
  return k_fields;
}

const std::vector<std::string>& xbake_fields() {
  static const std::vector<std::string> k_fields = {
      "tags",   "cache-from", "cache-to", "secret",          "ssh",     "platforms",
      "output", "pull",       "no-cache", "no-cache-filter", "contexts"};
  return k_fields;
}

// compose.go sorts ssh entries by id.
void sort_by_id(json& list) {
  if (list.is_array())
    std::stable_sort(list.begin(), list.end(), [](const json& a, const json& b) {
      return a.value("id", "") < b.value("id", "");
    });
}

void append_unique(json& list, const json& item) {
  if (!list.is_array())
    list = json::array();
  if (std::find(list.begin(), list.end(), item) == list.end())
    list.push_back(item);
}

void put_keyed(json& list, const json& item, const char* key) {
  if (!list.is_array())
    list = json::array();
  for (json& e : list)
    if (e.value(key, "") == item.value(key, "")) {
      e = item;
      return;
    }
  list.push_back(item);
}

class ServiceMapper {
public:
  ServiceMapper(const ComposeOptions& options, const Node& root, std::vector<std::string>& warnings)
      : m_options(options), m_root(root), m_warnings(warnings) {}

  // The target for service `name`, or nullopt when it has no build.
  Result<std::optional<Target>> map(const std::string& name, const Node& svc) {
    m_service = name;
    const Node* build = svc.find("build");
    if (build == nullptr) {
      if (svc.find("image") == nullptr)
        return error_at(svc, "service \"" + name +
                                 "\" has neither an image nor a build context "
                                 "specified");
      return std::optional<Target>();
    }
    Target t;
    t.name = sanitize_target_name(name);
    if (!valid_target_name(t.name))
      return error_at(svc, "invalid service name \"" + t.name +
                               "\": only \"[a-zA-Z0-9_-]+\" are "
                               "allowed");
    if (svc.find("x-bake"))
      warn("x-bake belongs under build:; ignored here");
    if (const Node* p = svc.find("platform"))
      warn("platform (" + p->value +
           ") is not used by bake; set build.platforms or "
           "x-bake.platforms");
    TRY_VOID(map_build(*build, svc, t));
    if (const Node* x = build->find("x-bake"))
      TRY_VOID(map_xbake(*x, t));
    if (!t.attrs.count("tags") || t.attrs["tags"].empty())
      if (const Node* image = svc.find("image");
          image && image->is_scalar() && !image->value.empty())
        t.attrs["tags"] = json::array({image->value});
    return std::optional<Target>(std::move(t));
  }

private:
  const ComposeOptions& m_options;
  const Node& m_root;
  std::vector<std::string>& m_warnings;
  std::string m_service;

  void warn(const std::string& message) {
    m_warnings.push_back("service \"" + m_service + "\": " + message);
  }

  // compose-go's path resolution with an empty working dir: `~` expands,
  // absolute paths stay, relative paths are cleaned; URLs and named
  // sources (`docker-image://`, `service:`) are not paths.
  std::string resolve_path(const std::string& v, bool context) const {
    if (context) {
      if (v.find("://") != std::string::npos || util::starts_with(v, "service:") ||
          util::starts_with(v, "target:"))
        return v;
      for (const char* p : {"https://", "http://", "git://", "ssh://", "github.com/", "git@"})
        if (util::starts_with(v, p))
          return v;
    }
    if (util::starts_with(v, "~"))
      return util::clean_path(m_options.home + "/" + v.substr(1));
    if (util::starts_with(v, "/"))
      return v;
    return util::clean_path(v);
  }

  std::string named_context(const std::string& raw) const {
    std::string v = resolve_path(raw, true);
    for (const char* p : {"service:", "target:"})
      if (util::starts_with(v, p))
        return "target:" + sanitize_target_name(v.substr(std::string_view(p).size()));
    return v;
  }

  Result<json> string_map(const Node& n, std::string_view what) {
    json out = json::object();
    if (n.is_null())
      return out;
    if (!n.is_mapping())
      return error_at(n, std::string(what) + " must be a mapping, not a " + n.type_name());
    for (const auto& [k, v] : n.entries)
      out[k] = v.is_null() ? json(nullptr) : json(TRY(scalar_string(v, what)));
    return out;
  }

  Result<json> composable(const std::vector<std::string>& items, std::string_view attr,
                          const Node& at) {
    json out = json::array();
    for (const std::string& s : items) {
      auto e = parse_composable(attr, s);
      if (!e)
        return error_at(at, std::string(attr) + ": " + e.error().message);
      out.push_back(*e);
    }
    return out;
  }

  // The service environment that `args` without a value read first:
  // env_file entries, then `environment` over them.
  Result<std::map<std::string, std::optional<std::string>>> service_env(const Node& svc) {
    std::map<std::string, std::optional<std::string>> env;
    auto lookup = [this](const std::string& k) -> std::optional<std::string> {
      auto it = m_options.env.find(k);
      return it == m_options.env.end() ? std::nullopt : std::optional<std::string>(it->second);
    };
    if (const Node* files = svc.find("env_file"); files && files->is_sequence()) {
      for (const Node& f : files->items) {
        std::string path;
        bool required = true;
        if (f.is_mapping()) {
          if (const Node* p = f.find("path"))
            path = TRY(scalar_string(*p, "env_file.path"));
          if (const Node* r = f.find("required"))
            required = TRY(scalar_bool(*r, "env_file.required"));
        } else {
          path = TRY(scalar_string(f, "env_file"));
        }
        path = resolve_path(path, false);
        auto text = m_options.read_file ? m_options.read_file(path)
                                        : Result<std::string>(fail("no reader"));
        if (!text) {
          if (required)
            return error_at(f, "env file " + path + " not found");
          continue;
        }
        auto parsed = parse_dotenv(*text, lookup);
        if (!parsed)
          return error_at(f, "env file " + path + ": " + parsed.error().message);
        for (auto& [k, v] : *parsed)
          env[k] = v;
      }
    }
    if (const Node* e = svc.find("environment"); e && e->is_mapping())
      for (const auto& [k, v] : e->entries)
        env[k] = v.is_null() ? std::optional<std::string>() : std::optional<std::string>(v.value);
    return env;
  }

  Result<json> args(const Node& n, const Node& svc) {
    json out = TRY(string_map(n, "build.args"));
    auto env = TRY(service_env(svc));
    for (auto it = out.begin(); it != out.end();) {
      if (!it->is_null()) {
        ++it;
        continue;
      }
      // A valueless arg: the service environment, then the project's.
      if (auto s = env.find(it.key()); s != env.end() && s->second)
        *it = *s->second;
      else if (auto p = m_options.env.find(it.key()); p != m_options.env.end())
        *it = p->second;
      if (it->is_null())
        it = out.erase(it);
      else
        ++it;
    }
    return out;
  }

  Result<json> ssh(const Node& n) {
    json out = json::array();
    auto add = [&](const std::string& id, const std::optional<std::string>& path) {
      json e = {{"id", id}};
      if (path && !path->empty())
        e["paths"] = json::array({*path});
      put_keyed(out, e, "id");
    };
    if (n.is_mapping()) {
      for (const auto& [k, v] : n.entries)
        add(k, v.is_null() ? std::nullopt : std::optional<std::string>(v.value));
    } else {
      for (const std::string& s : TRY(string_list(n, "build.ssh"))) {
        size_t eq = s.find('=');
        add(s.substr(0, eq),
            eq == std::string::npos ? std::nullopt : std::optional<std::string>(s.substr(eq + 1)));
      }
    }
    sort_by_id(out);
    return out;
  }

  Result<json> secret(const Node& ref) {
    std::string source;
    if (ref.is_mapping()) {
      if (const Node* s = ref.find("source"))
        source = TRY(scalar_string(*s, "build.secrets.source"));
    } else {
      source = TRY(scalar_string(ref, "build.secrets"));
    }
    const Node* secrets = m_root.find("secrets");
    const Node* def = secrets ? secrets->find(source) : nullptr;
    if (def == nullptr)
      return error_at(ref,
                      "service \"" + m_service + "\" refers to undefined build secret " + source);
    json e = {{"id", source}};
    if (const Node* ext = def->find("external"); ext && TRY(scalar_bool(*ext, "external")))
      return error_at(ref, "unsupported external secret " + source);
    if (const Node* f = def->find("file"))
      e["src"] = resolve_path(TRY(scalar_string(*f, "secrets.file")), false);
    if (const Node* env = def->find("environment"))
      e["env"] = TRY(scalar_string(*env, "secrets.environment"));
    if (!e.contains("src") && !e.contains("env"))
      return error_at(*def, "secret \"" + source +
                                "\" must set file or environment to be used "
                                "in a build");
    return e;
  }

  Result<json> ulimits(const Node& n) {
    if (!n.is_mapping())
      return error_at(n, "build.ulimits must be a mapping, not a " + n.type_name());
    std::map<std::string, std::string> sorted;
    for (const auto& [name, v] : n.entries) {
      if (!ulimit_names().count(name))
        return error_at(v, "invalid ulimit type: " + name);
      std::string soft, hard;
      if (v.is_mapping()) {
        const Node* s = v.find("soft");
        const Node* h = v.find("hard");
        if (!s || !h)
          return error_at(v, "ulimit " + name + " needs soft and hard");
        soft = TRY(scalar_string(*s, "ulimits.soft"));
        hard = TRY(scalar_string(*h, "ulimits.hard"));
      } else {
        soft = hard = TRY(scalar_string(v, "ulimits"));
      }
      static const std::regex k_int("^-?[0-9]+$");
      if (!std::regex_match(soft, k_int) || !std::regex_match(hard, k_int))
        return error_at(v, "invalid ulimit " + name + ": limits must be integers");
      if (std::stoll(hard) != -1 && std::stoll(soft) > std::stoll(hard))
        return error_at(v, "ulimit soft limit must be less than or equal to hard limit: " + soft +
                               " > " + hard);
      sorted[name] = name + "=" + soft + ":" + hard;
    }
    json out = json::array();
    for (const auto& [k, v] : sorted)
      out.push_back(v);
    return out;
  }

  Result<json> extra_hosts(const Node& n) {
    std::map<std::string, std::vector<std::string>> hosts;
    std::vector<std::string> order;
    auto add = [&](const std::string& host, const std::string& ip) {
      if (!hosts.count(host))
        order.push_back(host);
      hosts[host].push_back(ip);
    };
    if (n.is_mapping()) {
      for (const auto& [host, v] : n.entries)
        if (v.is_sequence())
          for (const std::string& ip : TRY(string_list(v, "build.extra_hosts")))
            add(host, ip);
        else
          add(host, TRY(scalar_string(v, "build.extra_hosts")));
    } else {
      for (const std::string& s : TRY(string_list(n, "build.extra_hosts"))) {
        size_t sep = s.find('=');
        if (sep == std::string::npos)
          sep = s.find(':');
        if (sep == std::string::npos)
          return error_at(n, "invalid extra host \"" + s + "\": expected HOST:IP or HOST=IP");
        add(s.substr(0, sep), s.substr(sep + 1));
      }
    }
    json out = json::object();
    for (const std::string& h : order)
      out[h] = util::join(hosts[h], ",");
    return out;
  }

  // buildflags.CanonicalizeAttest: a bool (Go's ParseBool spellings)
  // enables or disables the attestation, anything else is its options.
  static std::string attest(const std::string& type, const std::string& v) {
    static const std::set<std::string> k_true = {"1", "t", "T", "TRUE", "true", "True"};
    static const std::set<std::string> k_false = {"0", "f", "F", "FALSE", "false", "False"};
    if (k_true.count(v) || k_false.count(v))
      return "type=" + type + ",disabled=" + (k_true.count(v) ? "false" : "true");
    return "type=" + type + "," + v;
  }

  Result<void> map_field(const std::string& key, const Node& v, const Node& svc, Target& t) {
    if (key == "context") {
      std::string c = TRY(scalar_string(v, "build.context"));
      if (!c.empty())
        t.attrs["context"] = resolve_path(c, true);
    } else if (key == "dockerfile" || key == "dockerfile_inline" || key == "target" ||
               key == "network") {
      std::string s = TRY(scalar_string(v, "build." + key));
      std::string attr = key == "dockerfile_inline" ? "dockerfile-inline" : key;
      if (!s.empty())
        t.attrs[attr] = s;
    } else if (key == "args") {
      t.attrs["args"] = TRY(args(v, svc));
    } else if (key == "labels") {
      json labels = TRY(string_map(v, "build.labels"));
      for (auto& l : labels)
        if (l.is_null())
          l = ""; // compose labels are never unset
      t.attrs["labels"] = labels;
    } else if (key == "additional_contexts") {
      json contexts = TRY(string_map(v, "build.additional_contexts"));
      for (auto& c : contexts)
        if (c.is_string())
          c = named_context(c.get<std::string>());
      t.attrs["contexts"] = contexts;
    } else if (key == "tags" || key == "platforms") {
      json list = json::array();
      for (const std::string& s : TRY(string_list(v, "build." + key)))
        append_unique(list, s);
      t.attrs[key] = list;
    } else if (key == "cache_from" || key == "cache_to") {
      std::string attr = key == "cache_from" ? "cache-from" : "cache-to";
      t.attrs[attr] = TRY(composable(TRY(string_list(v, "build." + key)), attr, v));
    } else if (key == "ssh") {
      t.attrs["ssh"] = TRY(ssh(v));
    } else if (key == "secrets") {
      if (!v.is_sequence())
        return error_at(v, "build.secrets must be a list, not a " + v.type_name());
      json list = json::array();
      for (const Node& ref : v.items)
        list.push_back(TRY(secret(ref)));
      t.attrs["secret"] = list;
    } else if (key == "shm_size") {
      std::string s = TRY(scalar_string(v, "build.shm_size"));
      auto bytes = parse_bytes(s);
      if (!bytes)
        return error_at(v, "invalid size: '" + s + "'");
      if (*bytes > 0)
        t.attrs["shm-size"] = util::human_size(*bytes, util::SizeUnits::binary);
    } else if (key == "ulimits") {
      t.attrs["ulimits"] = TRY(ulimits(v));
    } else if (key == "extra_hosts") {
      t.attrs["extra-hosts"] = TRY(extra_hosts(v));
    } else if (key == "no_cache" || key == "pull") {
      if (TRY(scalar_bool(v, "build." + key)))
        t.attrs[key == "pull" ? "pull" : "no-cache"] = true;
    } else if (key == "sbom" || key == "provenance") {
      std::string s = TRY(scalar_string(v, "build." + key));
      if (!s.empty()) {
        json& list = t.attrs["attest"];
        if (!list.is_array())
          list = json::array();
        list.push_back(TRY(composable({attest(key, s)}, "attest", v))[0]);
      }
    } else if (key == "isolation" || key == "privileged" || key == "entitlements") {
      warn("build." + key + " is not supported by bake; ignored");
    }
    return {};
  }

  Result<void> map_build(const Node& build, const Node& svc, Target& t) {
    for (const auto& [key, v] : build.entries) {
      if (util::starts_with(key, "x-"))
        continue; // extensions: x-bake is read afterwards, others are not ours
      if (std::find(build_fields().begin(), build_fields().end(), key) == build_fields().end()) {
        std::string best = util::closest_match(key, build_fields());
        return error_at(v, "service \"" + m_service + "\": build: unknown field \"" + key + "\"" +
                               (best.empty() ? "" : "; did you mean \"" + best + "\"?"));
      }
      TRY_VOID(map_field(key, v, svc, t));
    }
    if (!t.attrs.count("args")) {
      auto env = TRY(service_env(svc)); // env_file errors surface even without args
      (void)env;
    }
    return {};
  }

  Result<void> map_xbake(const Node& x, Target& t) {
    if (x.is_null())
      return {};
    if (!x.is_mapping())
      return error_at(x, "x-bake must be a mapping, not a " + x.type_name());
    for (const auto& [key, v] : x.entries) {
      std::string what = "x-bake." + key;
      if (key == "tags" || key == "platforms" || key == "no-cache-filter") {
        for (const std::string& s : TRY(string_list(v, what, true)))
          append_unique(t.attrs[key], s);
      } else if (key == "cache-from" || key == "cache-to" || key == "output") {
        for (const json& e : TRY(composable(TRY(string_list(v, what, true)), key, v)))
          append_unique(t.attrs[key], e);
      } else if (key == "secret" || key == "ssh") {
        for (const json& e : TRY(composable(TRY(string_list(v, what, true)), key, v)))
          put_keyed(t.attrs[key], e, "id");
        if (key == "ssh")
          sort_by_id(t.attrs[key]);
      } else if (key == "pull" || key == "no-cache") {
        t.attrs[key] = TRY(scalar_bool(v, what));
      } else if (key == "contexts") {
        json contexts = TRY(string_map(v, what));
        json& dst = t.attrs["contexts"];
        if (!dst.is_object())
          dst = json::object();
        for (auto& [k, c] : contexts.items())
          if (!dst.contains(k) && c.is_string())
            dst[k] = named_context(c.get<std::string>()); // build's own contexts win
      } else {
        std::string best = util::closest_match(key, xbake_fields());
        warn(what + " is not a bake field; ignored" +
             (best.empty() ? "" : " (did you mean \"" + best + "\"?)"));
      }
    }
    return {};
  }
};

} // namespace

std::string sanitize_target_name(std::string_view name) {
  std::string out(name);
  std::replace(out.begin(), out.end(), '.', '_');
  return out;
}

FileFormat format_from_name(std::string_view name) {
  std::string lower = util::to_lower(name);
  if (util::ends_with(lower, ".yml") || util::ends_with(lower, ".yaml"))
    return FileFormat::compose;
  if (util::ends_with(lower, ".json"))
    return FileFormat::json;
  if (util::ends_with(lower, ".hcl"))
    return FileFormat::hcl;
  return FileFormat::unknown;
}

Result<void> check_compose(const hcl::SourceFile& file) {
  TRY(compose::parse_compose_file(file));
  return {};
}

Result<ComposeResult> load_compose(const std::vector<std::shared_ptr<const hcl::SourceFile>>& files,
                                   const ComposeOptions& options) {
  ComposeResult result;
  compose::Project project = TRY(compose::load_project(files, options));
  const Node& model = project.model;
  result.warnings = project.warnings;
  for (const std::string& name : project.unset)
    result.warnings.push_back("The \"" + name +
                              "\" variable is not set. Defaulting to a blank "
                              "string.");
  const Node* services = model.find("services");
  if (services == nullptr || !services->is_mapping())
    return result;
  ServiceMapper mapper(options, model, result.warnings);
  Group g;
  g.name = "default";
  for (const auto& [name, svc] : services->entries) {
    auto t = TRY(mapper.map(name, svc));
    if (!t)
      continue;
    if (result.config.targets.count(t->name))
      return error_at(svc, "services \"" + name + "\" and another one both map to target \"" +
                               t->name + "\"");
    g.targets.push_back(t->name);
    result.config.target_order.push_back(t->name);
    result.config.targets.emplace(t->name, std::move(*t));
  }
  std::sort(g.targets.begin(), g.targets.end());
  result.config.groups.emplace("default", std::move(g));
  return result;
}

Result<std::map<std::string, std::string>>
compose_environment(const std::map<std::string, std::string>& process_env, bool lookup_allowed,
                    const std::optional<std::string>& dotenv,
                    const std::map<std::string, std::string>& vars) {
  std::map<std::string, std::string> env;
  if (lookup_allowed)
    env = process_env;
  if (dotenv) {
    auto lookup = [&env](const std::string& k) -> std::optional<std::string> {
      auto it = env.find(k);
      return it == env.end() ? std::nullopt : std::optional<std::string>(it->second);
    };
    auto parsed = parse_dotenv(*dotenv, lookup);
    if (!parsed)
      return fail(".env: " + parsed.error().message);
    for (auto& [k, v] : *parsed)
      env.emplace(k, v); // the process environment wins
  }
  for (const auto& [k, v] : vars)
    env[k] = v;
  return env;
}

void merge_config(Config& base, const Config& later) {
  // hclparser decodes onto the existing config: a target with a Merge
  // method merges, a group (which has none) is replaced whole.
  for (const auto& [name, g] : later.groups)
    base.groups[name] = g;
  for (const std::string& name : later.target_order) {
    auto src = later.targets.find(name);
    if (src == later.targets.end())
      continue;
    auto it = base.targets.find(name);
    if (it == base.targets.end()) {
      base.target_order.push_back(name);
      base.targets.emplace(name, src->second);
      continue;
    }
    if (!src->second.inherits.empty())
      it->second.inherits = src->second.inherits;
    merge_target(it->second, src->second);
  }
  if (!later.variables.empty())
    base.variables = later.variables;
}

} // namespace xbuild::bakefile
