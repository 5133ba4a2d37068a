// Building the stage graph.
//
// Stages are cut at each FROM. A FROM whose (expanded) base names an earlier
// stage depends on it; later names are image references, as in BuildKit.
// `COPY --from` and `RUN --mount from=` may name any stage, by name or by
// index, so the graph can contain cycles; `build_order` walks it depth-first
// from the target, reports the first back edge as a cycle, and emits stages
// in post-order, which is a valid build order and prunes every stage the
// target cannot reach.

#include "engine/dockerfile/stage_graph.hpp"

#include "engine/dockerfile/parser.hpp"
#include "engine/dockerfile/shell_lexer.hpp"
#include "util/strings.hpp"

namespace xbuild::engine::dockerfile {
namespace {

void split_platform(const std::string& p, std::string& os, std::string& arch, std::string& variant) {
  auto parts = util::split(p, '/');
  os = parts.size() > 0 ? parts[0] : "";
  arch = parts.size() > 1 ? parts[1] : "";
  variant = parts.size() > 2 ? parts[2] : "";
}

} // namespace

std::vector<std::pair<std::string, std::string>> global_variables(const std::vector<Instruction>& args,
                                                                  const GlobalScope& scope) {
  std::vector<std::pair<std::string, std::string>> env;
  for (const auto& [k, v] : platform_args(scope))
    env.emplace_back(k, v);
  for (const auto& ins : args) {
    for (const auto& a : std::get<ArgCmd>(ins.data).args) {
      if (auto it = scope.build_args.find(a.name); it != scope.build_args.end()) {
        env.emplace_back(a.name, it->second);
      } else if (a.default_value) {
        auto v = expand_word(*a.default_value, env_from_list(env));
        env.emplace_back(a.name, v ? *v : *a.default_value);
      }
    }
  }
  return env;
}

namespace {

std::string description_for(const Node& from_node, const std::string& name) {
  // BuildKit: the comment block right above FROM, if it starts with the
  // stage name, describes the stage.
  if (name.empty() || from_node.prev_comments.empty())
    return {};
  std::string text = util::join(from_node.prev_comments, " ");
  if (!util::starts_with(util::to_lower(text), name + " "))
    return {};
  return std::string(util::trim(text.substr(name.size() + 1)));
}

void add_dep(Stage& s, size_t target, DepKind kind, int line) {
  for (const auto& d : s.deps)
    if (d.stage == target && d.kind == kind)
      return;
  s.deps.push_back({target, kind, line});
}

} // namespace

void link_stage_references(StageGraph& g) {
  for (auto& s : g.stages) {
    for (const auto& ins : s.instructions) {
      if (auto* c = std::get_if<CopyCmd>(&ins.data); c && !c->from.empty()) {
        if (auto idx = g.find(c->from))
          add_dep(s, *idx, DepKind::copy_from, ins.start_line);
      }
      if (auto* r = std::get_if<RunCmd>(&ins.data)) {
        for (const auto& m : r->mounts)
          if (!m.from.empty())
            if (auto idx = g.find(m.from))
              add_dep(s, *idx, DepKind::mount_from, ins.start_line);
      }
    }
  }
}

std::map<std::string, std::string> platform_args(const GlobalScope& scope) {
  std::map<std::string, std::string> out;
  for (auto [prefix, value] : {std::pair{"TARGET", scope.target_platform},
                               std::pair{"BUILD", scope.build_platform}}) {
    std::string os, arch, variant;
    split_platform(value, os, arch, variant);
    out[std::string(prefix) + "PLATFORM"] = value;
    out[std::string(prefix) + "OS"] = os;
    out[std::string(prefix) + "ARCH"] = arch;
    out[std::string(prefix) + "VARIANT"] = variant;
  }
  return out;
}

std::optional<size_t> StageGraph::find(std::string_view name_or_index) const {
  auto lower = util::to_lower(name_or_index);
  for (const auto& s : stages)
    if (!s.name.empty() && s.name == lower)
      return s.index;
  if (!lower.empty() && lower.size() < 6 &&
      lower.find_first_not_of("0123456789") == std::string::npos) {
    size_t i = std::stoul(lower);
    if (i < stages.size())
      return i;
  }
  return std::nullopt;
}

Result<std::vector<size_t>> StageGraph::build_order(std::string_view target) const {
  if (stages.empty())
    return fail("the Dockerfile has no stages: add a FROM instruction");
  size_t root = stages.size() - 1;
  if (!target.empty()) {
    auto t = find(target);
    if (!t) {
      std::vector<std::string> names;
      for (const auto& s : stages)
        if (!s.name.empty())
          names.push_back(s.name);
      std::string msg = "target stage \"" + std::string(target) + "\" could not be found";
      if (auto near = util::closest_match(target, names); !near.empty())
        msg += " (did you mean " + near + "?)";
      return fail(msg);
    }
    root = *t;
  }
  enum class Mark { none, active, done };
  std::vector<Mark> marks(stages.size(), Mark::none);
  std::vector<size_t> order;
  // Iterative DFS: (stage, next dependency to visit).
  std::vector<std::pair<size_t, size_t>> stack{{root, 0}};
  marks[root] = Mark::active;
  while (!stack.empty()) {
    auto& [s, i] = stack.back();
    if (stages[s].base.empty())
      return fail("Dockerfile:" + std::to_string(stages[s].from.start_line) + ": base name (" +
                  std::get<FromCmd>(stages[s].from.data).base +
                  ") should not be blank: give the ARG it uses a value (--build-arg)");
    if (i == stages[s].deps.size()) {
      marks[s] = Mark::done;
      order.push_back(s);
      stack.pop_back();
      continue;
    }
    const StageDep& d = stages[s].deps[i++];
    if (marks[d.stage] == Mark::active)
      return fail("circular dependency detected on stage: " + stages[d.stage].display_name() +
                  " (line " + std::to_string(d.line) + " refers back to it)");
    if (marks[d.stage] == Mark::none) {
      marks[d.stage] = Mark::active;
      stack.emplace_back(d.stage, 0);
    }
  }
  return order;
}

std::string StageGraph::dump() const {
  static const char* k_kinds[] = {"from", "copy --from", "mount from"};
  std::string out;
  for (const auto& s : stages) {
    out += "stage " + std::to_string(s.index) + " " + go_quote(s.name) + " base=" + go_quote(s.base);
    if (!s.platform.empty())
      out += " platform=" + go_quote(s.platform);
    out += " instructions=" + std::to_string(s.instructions.size());
    for (const auto& d : s.deps)
      out += std::string(" dep=") + k_kinds[static_cast<int>(d.kind)] + ":" + std::to_string(d.stage);
    out += "\n";
  }
  return out;
}

Result<StageGraph> build_stage_graph(std::vector<Instruction> instructions, const ParseResult& ast,
                                     const GlobalScope& scope) {
  StageGraph g;
  size_t node_index = 0;
  for (auto& ins : instructions) {
    const Node& node = *ast.root.children.at(node_index++);
    if (auto* f = std::get_if<FromCmd>(&ins.data)) {
      Stage s;
      s.index = g.stages.size();
      s.name = f->stage_name;
      auto env = env_from_list(global_variables(g.global_args, scope));
      s.base = TRY(expand_word(f->base, env));
      s.platform = f->platform.empty() ? "" : TRY(expand_word(f->platform, env));
      if (auto b = g.find(s.base); b && !g.stages[*b].name.empty())
        s.base_stage = b;
      if (s.base_stage)
        add_dep(s, *s.base_stage, DepKind::from, ins.start_line);
      s.description = description_for(node, s.name);
      s.from = std::move(ins);
      g.stages.push_back(std::move(s));
    } else if (g.stages.empty()) {
      if (!std::holds_alternative<ArgCmd>(ins.data))
        return fail("Dockerfile:" + std::to_string(ins.start_line) + ": " + util::to_lower(ins.keyword) +
                    " before the first FROM: only ARG may come before FROM (add a FROM line first)");
      g.global_args.push_back(std::move(ins));
    } else {
      g.stages.back().instructions.push_back(std::move(ins));
    }
  }
  link_stage_references(g);
  return g;
}

Result<void> apply_onbuild(Stage& stage, const std::vector<std::string>& triggers) {
  std::vector<Instruction> parsed;
  for (const auto& t : triggers) {
    auto ast = parse(t + "\n", "ONBUILD trigger");
    if (!ast)
      return fail("invalid ONBUILD trigger \"" + t + "\" in base image " + stage.base + ": " +
                  ast.error().message);
    for (const auto& n : ast->root.children) {
      auto kw = util::to_lower(n->value);
      if (kw == "from" || kw == "maintainer" || kw == "onbuild")
        return fail(util::to_lower(kw) + " isn't allowed as an ONBUILD trigger (base image " +
                    stage.base + ")");
      auto ins = parse_instruction(*n);
      if (!ins)
        return fail("invalid ONBUILD trigger \"" + t + "\" in base image " + stage.base + ": " +
                    ins.error().message);
      ins->start_line = ins->end_line = stage.from.start_line;
      parsed.push_back(std::move(*ins));
    }
  }
  stage.instructions.insert(stage.instructions.begin(), std::make_move_iterator(parsed.begin()),
                            std::make_move_iterator(parsed.end()));
  return {};
}

Result<void> apply_onbuild(StageGraph& graph, size_t stage, const std::vector<std::string>& triggers) {
  TRY_VOID(apply_onbuild(graph.stages.at(stage), triggers));
  link_stage_references(graph);
  return {};
}

} // namespace xbuild::engine::dockerfile
