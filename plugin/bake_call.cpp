#include "plugin/bake_call.hpp"

#include <algorithm>
#include <functional>
#include <set>

#include "plugin/bake_runner.hpp"
#include "util/fs.hpp"
#include "util/strings.hpp"

namespace xbuild::plugin {
namespace {

using nlohmann::json;
namespace df = engine::dockerfile;

std::string method_of(const json& target) {
  std::string call = target.contains("call") && target["call"].is_string()
                         ? target["call"].get<std::string>()
                         : "";
  return util::to_lower(util::trim(call.substr(0, call.find(','))));
}

bool is_call(const json& target) {
  std::string m = method_of(target);
  return !m.empty() && m != "build";
}


// The answer of one target; errors become {"error": …} / "error: …" as in buildx.
struct Answer {
  std::string text;
  int code = 0;
  bool failed = false;
};

Answer answer(const json& target, const df::CallOptions& opts, const std::string& host) {
  auto req = bake_call_request(target, host);
  if (!req)
    return {req.error().message, 1, true};
  auto res = df::run_call(*req, opts);
  if (!res)
    return {res.error().message, 1, true};
  return {res->output, res->exit_code, false};
}

} // namespace

std::vector<std::string> bake_call_targets(const json& print) {
  std::vector<std::string> out;
  if (print.contains("target") && print["target"].is_object())
    for (const auto& [name, t] : print["target"].items())
      if (is_call(t))
        out.push_back(name);
  std::sort(out.begin(), out.end());
  return out;
}

Result<df::CallRequest> bake_call_request(const json& t, const std::string& host_platform) {
  df::CallRequest req;
  std::string context = string_of(t, "context", ".");
  if (t.contains("dockerfile-inline") && t["dockerfile-inline"].is_string()) {
    req.dockerfile_text = unescape_template(t["dockerfile-inline"].get<std::string>());
  } else {
    std::filesystem::path file = string_of(t, "dockerfile", "Dockerfile");
    if (file.is_relative())
      file = std::filesystem::path(context) / file;
    auto text = util::read_file(file);
    if (!text)
      return fail("failed to read dockerfile " + file.string() + ": " + text.error().message);
    req.dockerfile_text = std::move(*text);
    req.dockerfile_path = file;
    req.dockerfile_name = file.filename().string();
  }
  if (context.find("://") == std::string::npos && !context.starts_with("target:"))
    req.context_dir = context;
  if (t.contains("args") && t["args"].is_object())
    for (const auto& [k, v] : t["args"].items())
      if (v.is_string())
        req.build_args[k] = unescape_template(v.get<std::string>());
  req.target = string_of(t, "target");
  req.build_platform = host_platform;
  req.target_platform = host_platform;
  if (t.contains("platforms") && t["platforms"].is_array() && !t["platforms"].empty() &&
      t["platforms"][0].is_string())
    req.target_platform = t["platforms"][0].get<std::string>();
  return req;
}

int run_bake_calls(const json& print, const df::CallOptions& flag, const std::string& host,
                   FILE* out) {
  int exit_code = 0;
  auto note = [&](int code) {
    if (code != 0 && exit_code == 0)
      exit_code = code;
  };
  const json& targets = print["target"];
  std::set<std::string> calls;
  for (const auto& n : bake_call_targets(print))
    calls.insert(n);
  if (flag.json) {
    json doc = json::object();
    if (print.contains("group"))
      doc["group"] = print["group"];
    doc["target"] = json::object();
    for (const auto& [name, t] : targets.items()) {
      doc["target"][name] = {{"build", t}};
      if (!calls.count(name))
        continue;
      auto opts = df::parse_call(method_of(t));
      std::string method = method_of(t) == "lint" ? "check" : method_of(t);
      if (!opts) {
        doc["target"][name][method] = {{"error", opts.error().message}};
        note(1);
        continue;
      }
      opts->json = true;
      opts->ignore_status = flag.ignore_status;
      Answer a = answer(t, *opts, host);
      note(a.code);
      json parsed = a.failed ? json() : json::parse(a.text, nullptr, false);
      if (a.failed || parsed.is_discarded())
        doc["target"][name][method] = {{"error", a.text}};
      else
        doc["target"][name][method] = parsed;
    }
    std::fprintf(out, "%s\n", doc.dump(2, ' ', false, json::error_handler_t::replace).c_str());
    return exit_code;
  }
  bool first = true;
  for (const auto& name : calls) {
    const json& t = targets[name];
    std::fprintf(out, "%s%s\n", first ? "" : "\n", name.c_str());
    first = false;
    if (auto d = string_of(t, "description"); !d.empty())
      std::fprintf(out, "%s\n", d.c_str());
    std::fprintf(out, "\n");
    auto opts = df::parse_call(method_of(t));
    if (!opts) {
      std::fprintf(out, "error: %s\n", opts.error().message.c_str());
      note(1);
      continue;
    }
    opts->ignore_status = flag.ignore_status;
    Answer a = answer(t, *opts, host);
    note(a.code);
    if (a.failed)
      std::fprintf(out, "error: %s\n", a.text.c_str());
    else
      std::fputs(a.text.c_str(), out);
  }
  std::fflush(out);
  return exit_code;
}

json bake_build_part(const json& print) {
  const json& targets = print["target"];
  // What the user asked for: the printed groups' members (else every target).
  std::set<std::string> asked;
  if (print.contains("group") && print["group"].is_object())
    for (const auto& [g, group] : print["group"].items())
      if (group.contains("targets") && group["targets"].is_array())
        for (const auto& t : group["targets"])
          if (t.is_string())
            asked.insert(t.get<std::string>());
  std::set<std::string> requested, keep;
  for (const auto& [name, t] : targets.items())
    if (!is_call(t) && (asked.empty() || asked.count(name)))
      requested.insert(name);
  // Targets a requested one links to are built too (as links, no outputs).
  std::function<void(const std::string&)> add = [&](const std::string& name) {
    if (!targets.contains(name) || !keep.insert(name).second)
      return;
    const json& t = targets[name];
    if (t.contains("contexts") && t["contexts"].is_object())
      for (const auto& [k, v] : t["contexts"].items())
        if (v.is_string() && v.get<std::string>().starts_with("target:"))
          add(v.get<std::string>().substr(7));
  };
  for (const auto& name : requested)
    add(name);
  json out = json::object();
  out["target"] = json::object();
  for (const auto& name : keep)
    out["target"][name] = targets[name];
  // One group naming what is built for the user; link-only targets stay
  // out of it, so they get no outputs.
  out["group"] = {{"default", {{"targets", std::vector<std::string>(requested.begin(), requested.end())}}}};
  return out;
}

} // namespace xbuild::plugin
