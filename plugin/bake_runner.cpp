#include "plugin/bake_runner.hpp"

#include <cstdio>
#include <functional>
#include <set>

#include "driver/builders.hpp"
#include "plugin/builder_access.hpp"
#include "plugin/commands/commands.hpp"
#include "plugin/progress/renderer.hpp"
#include "util/fs.hpp"
#include "util/strings.hpp"

namespace xbuild::plugin {
namespace {

using nlohmann::json;

// {"type": "oci", "dest": "x"} → "type=oci,dest=x" (type first, as buildx prints).
std::string csv_of(const json& entry) {
  if (entry.is_string())
    return entry.get<std::string>();
  std::vector<std::string> parts;
  if (entry.contains("type"))
    parts.push_back("type=" + entry["type"].get<std::string>());
  for (auto it = entry.begin(); it != entry.end(); ++it)
    if (it.key() != "type")
      parts.push_back(it.key() + "=" + (it->is_string() ? it->get<std::string>() : it->dump()));
  return util::join(parts, ",");
}

std::vector<std::string> strings(const json& t, const char* key) {
  std::vector<std::string> out;
  if (t.contains(key) && t[key].is_array())
    for (const auto& v : t[key])
      out.push_back(v.is_string() ? v.get<std::string>() : csv_of(v));
  return out;
}

std::string string_of(const json& t, const char* key, std::string fallback = "") {
  return t.contains(key) && t[key].is_string() ? t[key].get<std::string>() : fallback;
}

// `--print` shows template characters escaped (`$${`, `%%{`) in the
// attributes buildx escapes; the build needs the values themselves.
std::string unescape_template(const std::string& s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if ((s[i] == '$' || s[i] == '%') && i + 2 < s.size() && s[i + 1] == s[i] && s[i + 2] == '{')
      ++i;
    out += s[i];
  }
  return out;
}

json unescaped(const json& t) {
  json out = t;
  for (const char* key : {"dockerfile-inline", "args", "labels", "annotations", "extra-hosts"}) {
    if (!out.contains(key))
      continue;
    std::function<void(json&)> walk = [&](json& j) {
      if (j.is_string())
        j = unescape_template(j.get<std::string>());
      else if (j.is_array() || j.is_object())
        for (auto& e : j)
          walk(e);
    };
    walk(out[key]);
  }
  return out;
}

std::vector<std::string> links_of(const json& t) {
  std::vector<std::string> out;
  if (t.contains("contexts") && t["contexts"].is_object())
    for (const auto& [k, v] : t["contexts"].items())
      if (v.is_string() && v.get<std::string>().starts_with("target:"))
        out.push_back(v.get<std::string>().substr(7));
  return out;
}

} // namespace

Result<std::vector<std::string>> bake_build_order(const json& print) {
  const json& targets = print.contains("target") ? print["target"] : json::object();
  std::vector<std::string> order;
  std::map<std::string, int> state; // 1 visiting, 2 done
  std::function<Result<void>(const std::string&, std::vector<std::string>&)> visit =
      [&](const std::string& name, std::vector<std::string>& path) -> Result<void> {
    if (state[name] == 2)
      return {};
    path.push_back(name);
    if (state[name] == 1)
      return fail("infinite loop in target links: " + util::join(path, " -> "));
    if (!targets.contains(name))
      return fail("failed to find target " + name);
    state[name] = 1;
    for (const auto& dep : links_of(targets[name]))
      TRY_VOID(visit(dep, path));
    state[name] = 2;
    path.pop_back();
    order.push_back(name);
    return {};
  };
  for (const auto& [name, _] : targets.items()) {
    std::vector<std::string> path;
    TRY_VOID(visit(name, path));
  }
  return order;
}

Result<driver::BuildRequest> bake_target_request(const std::string& name, const json& printed) {
  const json t = unescaped(printed);
  driver::BuildRequest r;
  r.name = name;
  r.context_path = string_of(t, "context", ".");
  std::string dockerfile = string_of(t, "dockerfile", "Dockerfile");
  if (t.contains("dockerfile-inline") && t["dockerfile-inline"].is_string())
    r.dockerfile_text = t["dockerfile-inline"].get<std::string>();
  else if (!dockerfile.empty())
    r.dockerfile_path = std::filesystem::path(dockerfile).is_absolute()
                            ? dockerfile
                            : (std::filesystem::path(r.context_path) / dockerfile).string();
  if (t.contains("args") && t["args"].is_object())
    for (const auto& [k, v] : t["args"].items())
      if (v.is_string())
        r.build_args[k] = v.get<std::string>();
  r.target = string_of(t, "target");
  r.platforms = strings(t, "platforms");
  r.tags = strings(t, "tags");
  r.outputs = strings(t, "output");
  r.secrets = strings(t, "secret");
  if (t.contains("labels") && t["labels"].is_object())
    for (const auto& [k, v] : t["labels"].items())
      if (v.is_string())
        r.labels.push_back(k + "=" + v.get<std::string>());
  if (t.contains("contexts") && t["contexts"].is_object())
    for (const auto& [k, v] : t["contexts"].items())
      if (v.is_string())
        r.build_contexts.push_back(k + "=" + v.get<std::string>());
  r.no_cache = t.value("no-cache", false);
  r.no_cache_filter = strings(t, "no-cache-filter");
  if (t.value("push", false))
    r.outputs.push_back("type=registry");
  if (t.value("load", false))
    r.outputs.push_back("type=docker");
  for (const auto& unsupported : {"cache-from", "cache-to", "ssh", "attest"})
    if (t.contains(unsupported) && !t[unsupported].empty())
      return fail("target \"" + name + "\": " + unsupported +
                  " is not supported yet by the embedded engine");
  return r;
}

namespace {

// The targets the user asked for: those listed in the printed groups (the
// rest are only there because another target links to them). Without
// groups, every target.
std::set<std::string> requested_targets(const json& print) {
  std::set<std::string> out;
  if (print.contains("group") && print["group"].is_object())
    for (const auto& [name, g] : print["group"].items())
      if (g.contains("targets") && g["targets"].is_array())
        for (const auto& t : g["targets"])
          out.insert(t.get<std::string>());
  if (out.empty())
    for (const auto& [name, t] : print["target"].items())
      out.insert(name);
  return out;
}

} // namespace

int run_bake_build(Context& ctx, const json& print, const BakeUi& ui) {
  auto order = bake_build_order(print);
  if (!order)
    return print_error(order.error());
  auto requested = requested_targets(print);
  std::vector<driver::BuildRequest> requests;
  for (const auto& name : *order) {
    auto r = bake_target_request(name, print["target"][name]);
    if (!r)
      return print_error(r.error());
    if (!requested.count(name)) {
      // Built only to feed its users (buildx's cacheonly): no outputs.
      r->outputs.clear();
    } else {
      if (ui.push)
        r->outputs.push_back("type=registry");
      if (ui.load)
        r->outputs.push_back("type=docker");
    }
    r->no_cache = r->no_cache || ui.no_cache;
    r->docker_config_dir = ctx.config_dir;
    requests.push_back(std::move(*r));
  }
  auto group = current_builder(ctx);
  if (!group)
    return print_error(group.error());
  if (group->driver != "local")
    return print_error(Error{"builder \"" + group->name + "\" uses the " + group->driver +
                             " driver, which cannot build yet; use --builder default", 1});
  auto mode = parse_progress_mode(ui.build.progress, stderr);
  if (!mode)
    return print_error(mode.error());
  auto renderer = make_renderer(*mode, stderr);
  auto results = driver::build_local_many(driver::local_state_dir(*group), requests,
                                          {renderer.get(), ctx.cancel});
  renderer->finish();
  if (!results)
    return print_error(results.error());
  json meta = json::object();
  for (size_t i = 0; i < requests.size(); ++i) {
    if (!requested.count(requests[i].name))
      continue;
    const auto& r = (*results)[i];
    json m = {{"containerimage.digest", r.image_digest},
              {"containerimage.descriptor", json::parse(r.descriptor_json)}};
    if (!r.config_digest.empty())
      m["containerimage.config.digest"] = r.config_digest;
    if (!r.image_name.empty())
      m["image.name"] = r.image_name;
    meta[requests[i].name] = m;
    if (!r.loaded.empty())
      std::fprintf(stderr, "%s\n", r.loaded.c_str());
  }
  if (!ui.build.metadata_file.empty())
    if (auto w = util::write_file_atomic(ui.build.metadata_file, meta.dump(2) + "\n"); !w)
      return print_error(w.error());
  return 0;
}

} // namespace xbuild::plugin
