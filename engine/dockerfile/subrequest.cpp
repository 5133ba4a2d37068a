// The three subrequests share one pipeline (parse → instructions → stage
// graph) and differ only in what they print. Text output is aligned in
// columns like buildx's tabwriter; JSON output is one document with stable
// key names, printed with two-space indentation.

#include "engine/dockerfile/subrequest.hpp"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "engine/dockerfile/evaluate.hpp"
#include "engine/dockerfile/lint.hpp"
#include "engine/dockerfile/parser.hpp"
#include "util/fs.hpp"
#include "util/strings.hpp"

namespace xbuild::engine::dockerfile {
namespace {

using json = nlohmann::ordered_json;

// Invalid UTF-8 in a Dockerfile becomes U+FFFD instead of an exception.
std::string to_text(const json& j) {
  return j.dump(2, ' ', false, json::error_handler_t::replace) + "\n";
}

struct Loaded {
  ParseResult ast;
  StageGraph graph;
  GlobalScope scope;
};

Result<Loaded> load(const CallRequest& req) {
  Loaded l;
  l.ast = TRY(parse(req.dockerfile_text, req.dockerfile_name));
  auto ins = TRY(parse_instructions(l.ast, req.dockerfile_text, req.dockerfile_name));
  l.scope.build_args = req.build_args;
  l.scope.target_platform = req.target_platform;
  l.scope.build_platform = req.build_platform;
  l.graph = TRY(build_stage_graph(std::move(ins), l.ast, l.scope));
  return l;
}

// Columns separated by at least three spaces, like tabwriter(0, 0, 3, ' ').
std::string table(const std::vector<std::vector<std::string>>& rows) {
  std::vector<size_t> width;
  for (const auto& r : rows)
    for (size_t i = 0; i < r.size(); ++i) {
      width.resize(std::max(width.size(), r.size()));
      width[i] = std::max(width[i], r[i].size());
    }
  std::string out;
  for (const auto& r : rows) {
    std::string line;
    for (size_t i = 0; i < r.size(); ++i) {
      line += r[i];
      if (i + 1 < r.size())
        line += std::string(width[i] - r[i].size() + 3, ' ');
    }
    while (!line.empty() && line.back() == ' ')
      line.pop_back();
    out += line + "\n";
  }
  return out;
}

// `# NAME description` directly above an instruction describes NAME.
std::string described(const Node& node, const std::string& name) {
  if (node.prev_comments.empty())
    return {};
  std::string text = util::join(node.prev_comments, " ");
  if (!util::starts_with(text, name + " "))
    return {};
  return std::string(util::trim(text.substr(name.size() + 1)));
}

const Node* node_at_line(const ParseResult& ast, int line) {
  for (const auto& c : ast.root.children)
    if (c->start_line == line)
      return c.get();
  return nullptr;
}

struct OutlineArg {
  std::string name, value, description;
  int line = 0;
};
struct OutlineSecret {
  std::string id;
  bool required = false;
};

void collect_args(const Loaded& l, const Instruction& ins, std::vector<OutlineArg>& out) {
  const Node* node = node_at_line(l.ast, ins.start_line);
  for (const auto& a : std::get<ArgCmd>(ins.data).args) {
    if (std::any_of(out.begin(), out.end(), [&](const auto& o) { return o.name == a.name; }))
      continue;
    OutlineArg o{a.name, a.default_value.value_or(""), node ? described(*node, a.name) : "",
                 ins.start_line};
    if (auto it = l.scope.build_args.find(a.name); it != l.scope.build_args.end())
      o.value = it->second;
    out.push_back(std::move(o));
  }
}

Result<CallResult> outline(const Loaded& l, const CallRequest& req, bool as_json) {
  auto order = TRY(l.graph.build_order(req.target));
  const Stage& target = l.graph.stages[order.back()];
  std::vector<OutlineArg> args;
  for (const auto& g : l.graph.global_args)
    collect_args(l, g, args);
  std::vector<OutlineSecret> secrets, ssh;
  auto add = [](std::vector<OutlineSecret>& list, const Mount& m) {
    for (auto& s : list)
      if (s.id == m.id) {
        s.required = s.required || m.required;
        return;
      }
    list.push_back({m.id, m.required});
  };
  for (size_t idx : order)
    for (const auto& ins : l.graph.stages[idx].instructions) {
      if (std::holds_alternative<ArgCmd>(ins.data))
        collect_args(l, ins, args);
      if (auto* r = std::get_if<RunCmd>(&ins.data))
        for (const auto& m : r->mounts)
          if (m.type == MountType::secret || m.type == MountType::ssh)
            add(m.type == MountType::secret ? secrets : ssh, m);
    }
  CallResult res;
  if (as_json) {
    json j;
    j["name"] = target.name;
    j["description"] = target.description;
    j["args"] = json::array();
    for (const auto& a : args)
      j["args"].push_back({{"name", a.name}, {"value", a.value}, {"description", a.description},
                           {"line", a.line}});
    for (auto [key, list] : {std::pair{"secrets", &secrets}, std::pair{"ssh", &ssh}}) {
      j[key] = json::array();
      for (const auto& s : *list)
        j[key].push_back({{"name", s.id}, {"required", s.required}});
    }
    res.output = to_text(j);
    return res;
  }
  std::string out = "TARGET:      " + target.display_name() + "\n";
  if (!target.description.empty())
    out += "DESCRIPTION: " + target.description + "\n";
  if (!args.empty()) {
    std::vector<std::vector<std::string>> rows{{"BUILD ARG", "VALUE", "DESCRIPTION"}};
    for (const auto& a : args)
      rows.push_back({a.name, a.value.empty() ? "<unset>" : a.value, a.description});
    out += "\n" + table(rows);
  }
  for (auto [title, list] : {std::pair{"SECRET", &secrets}, std::pair{"SSH", &ssh}}) {
    if (list->empty())
      continue;
    std::vector<std::vector<std::string>> rows{{title, "REQUIRED"}};
    for (const auto& s : *list)
      rows.push_back({s.id, s.required ? "true" : "false"});
    out += "\n" + table(rows);
  }
  res.output = out;
  return res;
}

CallResult targets(const Loaded& l, bool as_json) {
  CallResult res;
  size_t last = l.graph.stages.size() - 1;
  if (as_json) {
    json j;
    j["targets"] = json::array();
    for (const auto& s : l.graph.stages) {
      json t = {{"name", s.display_name()}, {"default", s.index == last}, {"description", s.description},
                {"base", s.base}, {"line", s.from.start_line}};
      if (!s.platform.empty())
        t["platform"] = s.platform;
      j["targets"].push_back(std::move(t));
    }
    res.output = to_text(j);
    return res;
  }
  std::vector<std::vector<std::string>> rows{{"TARGET", "DESCRIPTION"}};
  for (const auto& s : l.graph.stages)
    rows.push_back({s.display_name() + (s.index == last ? " (default)" : ""), s.description});
  res.output = table(rows);
  return res;
}

std::string snippet(const CallRequest& req, int start, int end) {
  auto lines = util::split(req.dockerfile_text, '\n');
  std::string out = req.dockerfile_name + ":" + std::to_string(start) + "\n--------------------\n";
  int first = std::max(1, start - 2);
  int last = std::min(static_cast<int>(lines.size()), end + 2);
  for (int n = first; n <= last; ++n) {
    char num[16];
    std::snprintf(num, sizeof num, "%4d", n);
    bool hit = n >= start && n <= end;
    std::string text = lines[n - 1];
    out += std::string(num) + " | " + (hit ? ">>> " : "    ") + text;
    while (!out.empty() && out.back() == ' ')
      out.pop_back();
    out += "\n";
  }
  return out + "--------------------\n";
}

Result<CheckConfig> check_config(const Loaded& l, const CallRequest& req) {
  CheckConfig cfg;
  for (const auto& d : l.ast.directives)
    if (d.name == "check")
      cfg = TRY(parse_check_config(d.value));
  if (auto it = req.build_args.find("BUILDKIT_DOCKERFILE_CHECK"); it != req.build_args.end())
    cfg = TRY(parse_check_config(it->second));
  return cfg;
}

Result<std::vector<LintWarning>> run_lint(const Loaded& l, const CallRequest& req, const CheckConfig& cfg) {
  LintInput in;
  in.ast = &l.ast;
  in.graph = &l.graph;
  in.scope = l.scope;
  std::optional<IgnoreMatcher> ignore;
  if (!req.context_dir.empty()) {
    if (auto file = find_ignore_file(req.context_dir, req.dockerfile_path)) {
      auto text = TRY(util::read_file(*file));
      ignore = TRY(IgnoreMatcher::compile(read_ignore_patterns(text)));
      in.ignore = &*ignore;
    }
  }
  return lint(in, cfg);
}

CallResult format_check(const CallRequest& req, const std::vector<LintWarning>& ws, bool as_json) {
  CallResult res;
  if (as_json) {
    json j;
    j["warnings"] = json::array();
    for (const auto& w : ws)
      j["warnings"].push_back({{"ruleName", w.rule}, {"description", w.description}, {"url", w.url},
                               {"detail", w.detail},
                               {"location", {{"file", req.dockerfile_name},
                                             {"start", w.start_line}, {"end", w.end_line}}}});
    res.output = to_text(j);
    return res;
  }
  if (ws.empty()) {
    res.output = "Check complete, no warnings found.\n";
    return res;
  }
  std::string out = "Check complete, " + std::to_string(ws.size()) +
                    (ws.size() == 1 ? " warning has been found!\n" : " warnings have been found!\n");
  for (const auto& w : ws)
    out += "\nWARNING: " + w.rule + " - " + w.url + "\n" + w.detail + "\n" +
           snippet(req, w.start_line, w.end_line);
  res.output = out;
  return res;
}

} // namespace

Result<CallOptions> parse_call(std::string_view value) {
  CallOptions o;
  auto parts = util::split(value, ',');
  for (size_t i = 0; i < parts.size(); ++i) {
    std::string p(util::trim(parts[i]));
    auto eq = p.find('=');
    std::string key = util::to_lower(p.substr(0, eq));
    std::string val = eq == std::string::npos ? "" : p.substr(eq + 1);
    if (i == 0 && eq == std::string::npos) {
      if (key == "build")
        o.method = CallMethod::build;
      else if (key == "check" || key == "lint")
        o.method = CallMethod::check;
      else if (key == "outline")
        o.method = CallMethod::outline;
      else if (key == "targets")
        o.method = CallMethod::targets;
      else
        return fail("invalid --call value \"" + p + "\": use build, check, outline or targets");
    } else if (key == "format") {
      if (val != "json" && val != "text")
        return fail("invalid --call format \"" + val + "\": use json or text");
      o.json = val == "json";
    } else if (key == "ignorestatus") {
      o.ignore_status = util::to_lower(val) == "true";
    } else {
      return fail("invalid --call field \"" + p + "\": expected format=json|text or ignorestatus=true");
    }
  }
  return o;
}

Result<CallResult> run_call(const CallRequest& req, const CallOptions& opt) {
  Loaded l = TRY(load(req));
  switch (opt.method) {
  case CallMethod::outline:
    return outline(l, req, opt.json);
  case CallMethod::targets:
    return targets(l, opt.json);
  case CallMethod::check: {
    CheckConfig cfg = TRY(check_config(l, req));
    auto ws = TRY(run_lint(l, req, cfg));
    auto res = format_check(req, ws, opt.json);
    res.exit_code = !ws.empty() && !opt.ignore_status ? 1 : 0;
    return res;
  }
  case CallMethod::build:
    break;
  }
  return fail("--call=build is not a subrequest");
}

Result<CallResult> lint_before_build(const CallRequest& req) {
  Loaded l = TRY(load(req));
  CheckConfig cfg = TRY(check_config(l, req));
  auto ws = TRY(run_lint(l, req, cfg));
  CallResult res;
  if (ws.empty())
    return res;
  res.output = std::to_string(ws.size()) + (ws.size() == 1 ? " warning found:\n" : " warnings found:\n");
  std::set<std::string> rules;
  for (const auto& w : ws) {
    res.output += " - " + w.rule + ": " + w.detail + " (line " + std::to_string(w.start_line) + ")\n";
    rules.insert(w.rule);
  }
  if (cfg.error) {
    res.output += "ERROR: lint violation found for rules: " +
                  util::join(std::vector<std::string>(rules.begin(), rules.end()), ", ") + "\n";
    res.exit_code = 1;
  }
  return res;
}

} // namespace xbuild::engine::dockerfile
