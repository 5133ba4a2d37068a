// ARG and ENV semantics, stage by stage.
//
// A stage starts with the variables of its base stage (FROM <stage>) or with
// nothing (FROM <image>). `ARG NAME` declares a variable: its value is the
// build arg, else its own default (expanded with what is visible so far),
// else the global ARG of that name, else a predefined platform ARG, else it
// stays declared but unset. `ENV` sets variables and wins over ARGs of the
// same name; every reference inside one ENV sees the values from before it.
// Each instruction the builder expands is copied with its fields expanded
// against the variables visible on its line.

#include "engine/dockerfile/evaluate.hpp"

#include <map>
#include <unordered_set>

#include "engine/dockerfile/parser.hpp"
#include "engine/dockerfile/shell_lexer.hpp"

namespace xbuild::engine::dockerfile {
namespace {

const std::set<std::string> k_proxy_args = {"HTTP_PROXY", "http_proxy", "HTTPS_PROXY", "https_proxy",
                                            "FTP_PROXY",  "ftp_proxy",  "NO_PROXY",    "no_proxy",
                                            "ALL_PROXY",  "all_proxy"};

void set_var(EnvList& list, const std::string& k, const std::string& v) {
  for (auto& [name, value] : list)
    if (name == k) {
      value = v;
      return;
    }
  list.emplace_back(k, v);
}

const std::string* get_var(const EnvList& list, std::string_view k) {
  for (const auto& [name, value] : list)
    if (name == k)
      return &value;
  return nullptr;
}

struct StageState {
  EnvList env;
  EnvList args;                       // declared ARGs with a value
  std::set<std::string> declared;     // every declared ARG, valued or not

  EnvLookup lookup() const {
    return [this](std::string_view name) -> std::optional<std::string> {
      if (auto* v = get_var(env, name))
        return *v;
      if (auto* v = get_var(args, name))
        return *v;
      return std::nullopt;
    };
  }
  // ARGs not shadowed by an ENV of the same name, then the ENV entries.
  // Linear: this runs once per instruction.
  EnvList visible() const {
    if (args.empty())
      return env;
    std::unordered_set<std::string_view> env_keys;
    for (const auto& [k, _] : env)
      env_keys.insert(k);
    EnvList out;
    out.reserve(args.size() + env.size());
    for (const auto& kv : args)
      if (!env_keys.count(kv.first))
        out.push_back(kv);
    out.insert(out.end(), env.begin(), env.end());
    return out;
  }
};

class Walker {
public:
  Walker(const StageGraph& g, const GlobalScope& scope, std::string_view file,
         const std::map<size_t, EnvList>& image_env)
      : m_graph(g), m_scope(scope), m_file(file), m_image_env(image_env) {
    m_globals = global_variables(g.global_args, scope);
    m_platform = platform_args(scope);
    for (const auto& ins : g.global_args)
      for (const auto& a : std::get<ArgCmd>(ins.data).args)
        m_consumed.insert(a.name);
  }

  Result<Evaluation> run() {
    Evaluation ev;
    std::vector<StageState> finals;
    for (const auto& stage : m_graph.stages) {
      StageState st = stage.base_stage ? finals.at(*stage.base_stage) : StageState{};
      if (auto it = m_image_env.find(stage.index); !stage.base_stage && it != m_image_env.end())
        st.env = it->second;
      EvaluatedStage es;
      es.index = stage.index;
      for (const auto& ins : stage.instructions) {
        Instruction copy = ins;
        es.env_at.push_back(st.visible());
        TRY_VOID(step(copy, st, stage.index, ev));
        es.instructions.push_back(std::move(copy));
      }
      es.env = st.env;
      es.args = st.args;
      for (const auto& [k, v] : m_scope.build_args)
        if (k_proxy_args.count(k) && !st.declared.count(k))
          es.proxy_env.emplace_back(k, v);
      finals.push_back(st);
      ev.stages.push_back(std::move(es));
    }
    for (const auto& [k, _] : m_scope.build_args)
      if (!m_consumed.count(k) && !is_builtin_build_arg(k))
        ev.unused_build_args.push_back(k);
    if (auto it = m_scope.build_args.find("SOURCE_DATE_EPOCH"); it != m_scope.build_args.end())
      ev.source_date_epoch = it->second;
    else if (auto* g = get_var(m_globals, "SOURCE_DATE_EPOCH"))
      ev.source_date_epoch = *g;
    return ev;
  }

private:
  // The message with the logical line that failed (evaluation has no file
  // text, only each instruction's joined source line).
  std::string located(int line, const std::string& msg) const {
    return located_error(m_file, std::string(line > 0 ? line - 1 : 0, '\n') + m_current, line, msg);
  }

  Result<std::string> word(const std::string& in, const StageState& st, int line, size_t stage,
                           Evaluation& ev) {
    auto r = expand(in, st.lookup());
    if (!r)
      return fail(located(line, r.error().message));
    for (const auto& name : r->unmatched)
      ev.undefined.push_back({name, line, stage});
    return std::move(r->word);
  }

  Result<void> words(std::vector<std::string>& v, const StageState& st, int line, size_t stage,
                     Evaluation& ev) {
    for (auto& w : v)
      w = TRY(word(w, st, line, stage, ev));
    return {};
  }

  Result<void> declare_arg(const ArgCmd::Arg& a, StageState& st, int line, size_t stage,
                           Evaluation& ev) {
    m_consumed.insert(a.name);
    st.declared.insert(a.name);
    std::optional<std::string> value;
    if (auto it = m_scope.build_args.find(a.name); it != m_scope.build_args.end())
      value = it->second;
    else if (a.default_value)
      value = TRY(word(*a.default_value, st, line, stage, ev));
    else if (auto* g = get_var(m_globals, a.name))
      value = *g;
    else if (auto p = m_platform.find(a.name); p != m_platform.end())
      value = p->second;
    if (value)
      set_var(st.args, a.name, *value);
    return {};
  }

  Result<void> step(Instruction& ins, StageState& st, size_t stage, Evaluation& ev) {
    int line = ins.start_line;
    m_current = ins.original;
    auto W = [&](std::string& s) -> Result<void> {
      s = TRY(word(s, st, line, stage, ev));
      return {};
    };
    if (auto* a = std::get_if<ArgCmd>(&ins.data)) {
      for (auto& arg : a->args)
        TRY_VOID(declare_arg(arg, st, line, stage, ev));
    } else if (auto* e = std::get_if<EnvCmd>(&ins.data)) {
      StageState before = st; // every reference sees the values from before
      for (auto& kv : e->env) {
        kv.key = TRY(word(kv.key, before, line, stage, ev));
        kv.value = TRY(word(kv.value, before, line, stage, ev));
        set_var(st.env, kv.key, kv.value);
      }
    } else if (auto* l = std::get_if<LabelCmd>(&ins.data)) {
      for (auto& kv : l->labels) {
        TRY_VOID(W(kv.key));
        TRY_VOID(W(kv.value));
      }
    } else if (auto* c = std::get_if<CopyCmd>(&ins.data)) {
      TRY_VOID(expand_spec(c->spec, st, line, stage, ev));
    } else if (auto* ad = std::get_if<AddCmd>(&ins.data)) {
      TRY_VOID(expand_spec(ad->spec, st, line, stage, ev));
      TRY_VOID(W(ad->checksum));
    } else if (auto* r = std::get_if<RunCmd>(&ins.data)) {
      for (auto& m : r->mounts)
        for (std::string* f : {&m.source, &m.target, &m.id, &m.env})
          TRY_VOID(W(*f));
    } else if (auto* x = std::get_if<ExposeCmd>(&ins.data)) {
      std::vector<std::string> out;
      for (const auto& p : x->ports) {
        auto ex = expand(p, st.lookup());
        if (!ex)
          return fail(located(line, ex.error().message));
        out.insert(out.end(), ex->words.begin(), ex->words.end());
      }
      x->ports = out;
    } else if (auto* v = std::get_if<VolumeCmd>(&ins.data)) {
      TRY_VOID(words(v->paths, st, line, stage, ev));
    } else if (auto* u = std::get_if<UserCmd>(&ins.data)) {
      TRY_VOID(W(u->user));
    } else if (auto* wd = std::get_if<WorkdirCmd>(&ins.data)) {
      TRY_VOID(W(wd->path));
    } else if (auto* s = std::get_if<StopsignalCmd>(&ins.data)) {
      TRY_VOID(W(s->signal));
    }
    return {};
  }

  Result<void> expand_spec(CopySpec& spec, const StageState& st, int line, size_t stage,
                           Evaluation& ev) {
    for (auto& src : spec.sources)
      if (src.rfind("<<", 0) != 0) // heredoc markers are not paths
        src = TRY(word(src, st, line, stage, ev));
    spec.dest = TRY(word(spec.dest, st, line, stage, ev));
    spec.chown = TRY(word(spec.chown, st, line, stage, ev));
    spec.chmod = TRY(word(spec.chmod, st, line, stage, ev));
    return words(spec.excludes, st, line, stage, ev);
  }

  const StageGraph& m_graph;
  const GlobalScope& m_scope;
  std::string_view m_file;
  const std::map<size_t, EnvList>& m_image_env;
  EnvList m_globals;
  std::map<std::string, std::string> m_platform;
  std::set<std::string> m_consumed;
  std::string m_current; // source of the instruction being evaluated
};

} // namespace

bool is_builtin_build_arg(std::string_view name) {
  return k_proxy_args.count(std::string(name)) || name == "SOURCE_DATE_EPOCH" ||
         name.rfind("BUILDKIT_", 0) == 0;
}

Result<Evaluation> evaluate(const StageGraph& graph, const GlobalScope& scope,
                            std::string_view filename, const std::map<size_t, EnvList>& image_env) {
  return Walker(graph, scope, filename, image_env).run();
}

Result<std::string> heredoc_content(const Heredoc& heredoc, const EnvLookup& env) {
  std::string body = heredoc.content;
  if (heredoc.chomp) {
    std::string out;
    for (size_t pos = 0; pos < body.size();) {
      size_t nl = body.find('\n', pos);
      size_t end = nl == std::string::npos ? body.size() : nl + 1;
      size_t start = pos;
      while (start < end && body[start] == '\t')
        ++start;
      out += body.substr(start, end - start);
      pos = end;
    }
    body = std::move(out);
  }
  if (!heredoc.expand)
    return body;
  ShellOptions o;
  o.skip_process_quotes = true;
  o.raw_escapes = true;
  return expand_word(body, env, o);
}

} // namespace xbuild::engine::dockerfile
