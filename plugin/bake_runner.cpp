#include "plugin/bake_runner.hpp"

#include <algorithm>
#include <cstdio>
#include <functional>
#include <set>

#include "driver/builders.hpp"
#include "engine/dockerfile/subrequest.hpp"
#include "oci/platform.hpp"
#include "plugin/bake_call.hpp"
#include "plugin/builder_access.hpp"
#include "plugin/commands/commands.hpp"
#include "plugin/progress/renderer.hpp"
#include "util/fs.hpp"
#include "util/sha256.hpp"
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

} // namespace

std::string string_of(const json& t, const char* key, std::string fallback) {
  return t.contains(key) && t[key].is_string() ? t[key].get<std::string>() : fallback;
}

std::string unescape_template(const std::string& s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if ((s[i] == '$' || s[i] == '%') && i + 2 < s.size() && s[i + 1] == s[i] && s[i + 2] == '{')
      ++i;
    out += s[i];
  }
  return out;
}

namespace {

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
      r.ignored.push_back(unsupported);
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

Result<driver::Execution> parse_execution(const std::string& value) {
  std::string v(util::trim(value));
  if (v.empty() || v == "fail-fast")
    return driver::Execution::fail_fast;
  if (v == "continue" || v == "defer-error")
    return driver::Execution::keep_going;
  return fail("invalid execution mode \"" + value + "\": use fail-fast or continue", 125);
}

namespace {

std::string first_line(const std::string& s) { return s.substr(0, s.find('\n')); }

// Columns three spaces apart (as the other tables print).
std::string columns(const std::vector<std::pair<std::string, std::string>>& rows) {
  size_t width = 0;
  for (const auto& [a, b] : rows)
    width = std::max(width, a.size());
  std::string out;
  for (const auto& [a, b] : rows)
    out += a + std::string(width - a.size() + 3, ' ') + b + "\n";
  return out;
}

} // namespace

std::string bake_summary(const std::vector<std::string>& names,
                         const std::vector<driver::TargetOutcome>& outcomes,
                         driver::Execution execution) {
  using State = driver::TargetOutcome::State;
  std::vector<size_t> order(names.size());
  for (size_t i = 0; i < order.size(); ++i)
    order[i] = i;
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) { return names[a] < names[b]; });
  std::map<State, size_t> count;
  for (const auto& o : outcomes)
    ++count[o.state];
  if (execution == driver::Execution::fail_fast) {
    std::string failed;
    for (size_t i : order)
      if (outcomes[i].state == State::failed) {
        failed = names[i];
        break;
      }
    std::vector<std::string> rest;
    for (size_t i : order)
      if (outcomes[i].state != State::failed && outcomes[i].state != State::built)
        rest.push_back(names[i]);
    std::string out = "Bake stopped at the first failure (--execution fail-fast): target \"" +
                      failed + "\" failed";
    if (!rest.empty())
      out += "; not built or not exported: " + util::join(rest, ", ");
    return out + ".\nUse --execution continue to finish the targets that do not depend on it.\n";
  }
  std::vector<std::pair<std::string, std::string>> rows{{"TARGET", "RESULT"}};
  for (size_t i : order) {
    const auto& o = outcomes[i];
    switch (o.state) {
    case State::built:
      rows.emplace_back(names[i], "built");
      break;
    case State::failed:
      rows.emplace_back(names[i], "failed: " + first_line(o.error.message));
      break;
    case State::skipped:
      rows.emplace_back(names[i], "skipped: needs " + o.blocked_by + ", which failed");
      break;
    case State::canceled:
      rows.emplace_back(names[i], "canceled: " + first_line(o.error.message));
      break;
    }
  }
  return "Bake summary (--execution continue): " + std::to_string(count[State::built]) +
         " built, " + std::to_string(count[State::failed]) + " failed, " +
         std::to_string(count[State::skipped]) + " skipped\n" + columns(rows);
}

namespace {

// As `build` does: the Dockerfile's lint warnings are shown before it is
// built, and `# check=error=true` turns them into the target's failure.
// A Dockerfile that cannot be read or parsed is left to the build, which
// reports it.
void lint_before_build(const std::string& name, const json& target, driver::BuildRequest& r) {
  auto req = bake_call_request(target, oci::host_platform().str());
  if (!req)
    return;
  auto res = engine::dockerfile::lint_before_build(*req);
  if (!res || res->output.empty())
    return;
  // The ERROR line becomes the target's failure, reported with the others.
  std::string warnings = res->output, message;
  if (auto at = warnings.rfind("ERROR: "); at != std::string::npos) {
    message = warnings.substr(at + 7);
    warnings.erase(at);
  }
  std::fprintf(stderr, "target \"%s\": %s", name.c_str(), warnings.c_str());
  if (res->exit_code != 0) {
    while (!message.empty() && message.back() == '\n')
      message.pop_back();
    r.refused = Error{message.empty() ? "lint violation found" : message, 1};
  }
}

// For --progress=rawjson readers: when a target was not built, the outcome
// of every target as the statuses of one "[internal] target results"
// vertex (id "NAME: STATUS", as buildx's defer-error reports them).
void report_target_results(engine::ProgressSink& sink,
                           const std::vector<driver::BuildRequest>& requests,
                           const std::vector<driver::TargetOutcome>& outcomes) {
  using State = driver::TargetOutcome::State;
  if (requests.size() < 2 || std::all_of(outcomes.begin(), outcomes.end(), [](const auto& o) {
        return o.state == State::built;
      }))
    return;
  auto now = engine::Clock::now();
  engine::VertexEvent v{"sha256:" + util::sha256_hex("xbuild bake target results"),
                        "[internal] target results", {}, now, now, false, {}};
  sink.vertex(v);
  std::vector<size_t> order(requests.size());
  for (size_t i = 0; i < order.size(); ++i)
    order[i] = i;
  std::sort(order.begin(), order.end(),
            [&](size_t a, size_t b) { return requests[a].name < requests[b].name; });
  for (size_t i : order) {
    const char* status = outcomes[i].state == State::built     ? "succeeded"
                         : outcomes[i].state == State::failed  ? "failed"
                         : outcomes[i].state == State::skipped ? "skipped"
                                                               : "aborted";
    sink.status({requests[i].name + ": " + status, v.digest, status, 0, 0, now, now});
  }
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
    // Built only to feed its users (buildx's cacheonly): no outputs.
    if (!requested.count(name))
      r->outputs.clear();
    r->docker_config_dir = ctx.config_dir;
    warn_ignored("target \"" + name + "\": ", r->ignored);
    lint_before_build(name, print["target"][name], *r);
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
  auto outcomes = driver::build_local_many_partial(
      driver::local_state_dir(*group), requests, {renderer.get(), ctx.cancel},
      {ui.execution, ui.max_parallelism});
  using State = driver::TargetOutcome::State;
  if (outcomes && *mode == ProgressMode::rawjson)
    report_target_results(*renderer, requests, *outcomes);
  renderer->finish();
  if (!outcomes)
    return print_error(outcomes.error());
  json meta = json::object();
  int exit_code = 0;
  std::vector<std::string> names;
  for (size_t i = 0; i < requests.size(); ++i) {
    const auto& o = (*outcomes)[i];
    names.push_back(requests[i].name);
    if (o.state == State::failed) {
      std::fprintf(stderr, "ERROR: target \"%s\": %s\n", requests[i].name.c_str(),
                   o.error.message.c_str());
      exit_code = o.error.exit_code == 130 ? 130 : std::max(exit_code, 1);
    } else if (o.state != State::built) {
      exit_code = std::max(exit_code, 1);
    }
    if (o.state != State::built || !requested.count(requests[i].name))
      continue;
    const auto& r = o.result;
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
  // One target needs no summary: its error says it all.
  if (exit_code != 0 && names.size() > 1)
    std::fprintf(stderr, "%s", bake_summary(names, *outcomes, ui.execution).c_str());
  // A failed fail-fast bake exported nothing: no metadata either. With
  // continue, the targets that were built keep their entries (as buildx's
  // defer-error does).
  bool write_meta = exit_code == 0 || ui.execution == driver::Execution::keep_going;
  if (!ui.build.metadata_file.empty() && write_meta)
    if (auto w = util::write_file_atomic(ui.build.metadata_file, meta.dump(2) + "\n"); !w)
      return print_error(w.error());
  return exit_code;
}

} // namespace xbuild::plugin
