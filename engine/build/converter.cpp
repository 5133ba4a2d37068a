// Conversion of a Dockerfile into the solver graph.
//
// Per platform: parse → stage graph (with the platform's ARGs) → resolve
// the base images of the stages the target needs (so their ENV is known) →
// evaluate ARG/ENV → walk each needed stage in dependency order, keeping a
// "current vertex" (the filesystem so far) and the image config. A step that
// touches the filesystem adds a vertex on top of the current one; a step
// that only changes metadata edits the config. History entries are recorded
// with the vertices before and after, so the exporter can tell which steps
// made layers.

#include "engine/build/converter.hpp"

#include <nlohmann/json.hpp>
#include <set>

#include "engine/dockerfile/evaluate.hpp"
#include "engine/dockerfile/parser.hpp"
#include "engine/dockerfile/shell_lexer.hpp"
#include "util/strings.hpp"
#include "util/time.hpp"

namespace xbuild::engine::build {
namespace {

namespace df = dockerfile;

struct StageState {
  solver::Vertex* vertex = nullptr;
  oci::Platform platform; // the stage's (FROM --platform), else the target's
  oci::ImageConfig config;
  std::vector<std::string> shell = {"/bin/sh", "-c"};
  std::vector<PendingHistory> history;
  bool cmd_set = false; // CMD given in this stage: a later ENTRYPOINT keeps it
  bool done = false;
};

// Healthcheck, OnBuild and Shell are not modelled by oci::ContainerConfig;
// they live in its extra JSON, edited here. A null value removes the key.
nlohmann::json get_extra(const oci::ContainerConfig& cfg, const char* key) {
  if (cfg.extra_json.empty())
    return nullptr;
  auto j = nlohmann::json::parse(cfg.extra_json, nullptr, false);
  if (!j.is_object() || !j.contains(key))
    return nullptr;
  return j[key];
}

void set_extra(oci::ContainerConfig& cfg, const char* key, const nlohmann::json& value) {
  auto j = cfg.extra_json.empty() ? nlohmann::json::object()
                                  : nlohmann::json::parse(cfg.extra_json, nullptr, false);
  if (!j.is_object())
    j = nlohmann::json::object();
  if (value.is_null())
    j.erase(key);
  else
    j[key] = value;
  cfg.extra_json = j.empty() ? "" : j.dump();
}

// Docker's Healthcheck object: durations in nanoseconds, unset options absent.
nlohmann::json healthcheck_json(const dockerfile::HealthcheckCmd& d) {
  nlohmann::json j = nlohmann::json::object();
  if (d.none) {
    j["Test"] = {"NONE"};
    return j;
  }
  j["Test"] = d.test;
  if (d.interval_ns)
    j["Interval"] = *d.interval_ns;
  if (d.timeout_ns)
    j["Timeout"] = *d.timeout_ns;
  if (d.start_period_ns)
    j["StartPeriod"] = *d.start_period_ns;
  if (d.start_interval_ns)
    j["StartInterval"] = *d.start_interval_ns;
  if (d.retries)
    j["Retries"] = *d.retries;
  return j;
}

std::string join_path(const std::string& workdir, const std::string& path) {
  if (path.starts_with("/"))
    return path;
  std::string base = workdir.empty() ? "/" : workdir;
  if (!base.ends_with("/"))
    base += "/";
  return base + path;
}

void set_env(std::vector<std::string>& env, const std::string& key, const std::string& value) {
  for (auto& e : env)
    if (e.starts_with(key + "=")) {
      e = key + "=" + value;
      return;
    }
  env.push_back(key + "=" + value);
}

// BuildKit puts the default PATH into every stage's config whose base has
// none, so RUN and the final image find their programs.
constexpr const char* k_default_path = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

void ensure_path(std::vector<std::string>& env) {
  for (const auto& e : env)
    if (e.starts_with("PATH="))
      return;
  env.insert(env.begin(), std::string("PATH=") + k_default_path);
}

df::EnvList env_list(const std::vector<std::string>& env) {
  df::EnvList out;
  for (const auto& e : env) {
    auto eq = e.find('=');
    out.emplace_back(e.substr(0, eq), eq == std::string::npos ? "" : e.substr(eq + 1));
  }
  return out;
}

// The delimiter of a heredoc source word: `<<-'EOF'` → `EOF`.
std::string heredoc_word(std::string w) {
  w.erase(0, 2);
  if (w.starts_with("-"))
    w.erase(0, 1);
  std::erase(w, '\'');
  std::erase(w, '"');
  return w;
}

std::string strip_leading_tabs(const std::string& text) {
  std::string out;
  bool line_start = true;
  for (char c : text) {
    if (line_start && c == '\t')
      continue;
    line_start = c == '\n';
    out += c;
  }
  return out;
}

// `80`, `53/udp`, `8000-8002/tcp` → one "port/proto" entry per port, as
// Docker's nat.ParsePortSpecs does.
Result<std::vector<std::string>> expand_ports(const std::string& spec) {
  std::string ports = spec, proto = "tcp";
  if (auto slash = spec.find('/'); slash != std::string::npos) {
    ports = spec.substr(0, slash);
    proto = util::to_lower(spec.substr(slash + 1));
  }
  auto number = [&](const std::string& t) -> Result<unsigned> {
    if (t.empty() || t.size() > 5 || t.find_first_not_of("0123456789") != std::string::npos ||
        std::stoul(t) > 65535)
      return fail("invalid port \"" + spec + "\" in EXPOSE: use PORT[-END][/PROTOCOL]");
    return static_cast<unsigned>(std::stoul(t));
  };
  auto dash = ports.find('-');
  unsigned first = TRY(number(ports.substr(0, dash)));
  unsigned last = dash == std::string::npos ? first : TRY(number(ports.substr(dash + 1)));
  if (last < first)
    return fail("invalid port range \"" + spec + "\" in EXPOSE: the end is below the start");
  std::vector<std::string> out;
  for (unsigned p = first; p <= last; ++p)
    out.push_back(std::to_string(p) + "/" + proto);
  return out;
}

std::vector<std::string> command_argv(const df::CommandLine& c, const std::vector<std::string>& shell) {
  if (!c.shell_form)
    return c.args;
  std::vector<std::string> argv = shell;
  argv.push_back(util::join(c.args, " "));
  return argv;
}

class Converter {
public:
  Converter(const BuildRequest& req, std::shared_ptr<const OpEnv> env, ImageSource& images,
            Plan& plan)
      : m_req(req), m_env(std::move(env)), m_images(images), m_plan(plan) {}

  Result<void> platform(const oci::Platform& target) {
    m_platform = target;
    auto ast = TRY(df::parse(m_req.dockerfile, m_req.dockerfile_name));
    auto instructions = TRY(df::parse_instructions(ast, m_req.dockerfile, m_req.dockerfile_name));
    df::GlobalScope scope;
    scope.build_args = m_req.build_args;
    scope.target_platform = target.str();
    scope.build_platform = oci::host_platform().str();
    auto graph = TRY(df::build_stage_graph(std::move(instructions), ast, scope));
    auto order = TRY(graph.build_order(m_req.target));
    m_states.assign(graph.stages.size(), StageState{});
    std::map<size_t, df::EnvList> image_env;
    for (size_t i : order)
      TRY_VOID(init_base(graph, i, image_env));
    for (size_t i : order)
      TRY_VOID(insert_onbuild_triggers(graph, i));
    auto evaluation = TRY(df::evaluate(graph, scope, m_req.dockerfile_name, image_env));
    for (const auto& unused : evaluation.unused_build_args)
      m_plan.warnings.push_back("build-arg " + unused + " was not consumed");
    for (size_t i : order)
      TRY_VOID(convert_stage(graph, evaluation, i, order));
    StageState& final = m_states.at(order.back());
    PlatformPlan pp{target, final.vertex, final.config, final.history};
    for (const auto& [k, v] : m_req.labels)
      pp.config.config.labels[k] = v;
    m_plan.requests.at(m_index).push_back(std::move(pp));
    return {};
  }

  void set_index(size_t index) { m_index = index; }

private:
  std::string now() const {
    if (m_req.source_date_epoch)
      return util::format_rfc3339(std::chrono::system_clock::time_point(
          std::chrono::seconds(*m_req.source_date_epoch)));
    return util::format_rfc3339(std::chrono::system_clock::now());
  }

  oci::Platform stage_platform(const df::Stage& st) {
    if (st.platform.empty())
      return m_platform;
    auto p = oci::Platform::parse(st.platform);
    return p ? *p : m_platform;
  }

  Result<void> init_base(const df::StageGraph& graph, size_t i,
                         std::map<size_t, df::EnvList>& image_env) {
    const df::Stage& st = graph.stages[i];
    StageState& s = m_states[i];
    if (st.base_stage)
      return {}; // inherits the base stage's state when converted
    oci::Platform p = stage_platform(st);
    s.platform = p;
    if (auto ctx = m_req.contexts.find(st.base); ctx != m_req.contexts.end()) {
      TRY_VOID(from_context(ctx->second, p, s));
      image_env[i] = env_list(s.config.config.env);
      return {};
    }
    if (util::to_lower(st.base) == "scratch") {
      s.config.os = p.os;
      s.config.architecture = p.architecture;
      s.config.variant = p.variant;
      ensure_path(s.config.config.env);
      image_env[i] = env_list(s.config.config.env);
      return {};
    }
    auto img = TRY(m_images.resolve(st.base, p));
    TRY_VOID(use_image(img, s));
    m_base_history[i] = img.config.history;
    image_env[i] = env_list(s.config.config.env);
    return {};
  }

  // Docker runs the base's ONBUILD triggers first in a child stage: those
  // recorded in a base image's config, or the ONBUILD lines of a base stage.
  // They become ordinary instructions at the head of the stage, so ARG/ENV
  // evaluation and the cache treat them like the Dockerfile's own.
  Result<void> insert_onbuild_triggers(df::StageGraph& graph, size_t i) {
    df::Stage& st = graph.stages[i];
    std::vector<std::string> triggers;
    if (st.base_stage) {
      for (const auto& ins : graph.stages[*st.base_stage].instructions)
        if (const auto* o = std::get_if<df::OnbuildCmd>(&ins.data))
          triggers.push_back(o->expression);
    } else if (auto j = get_extra(m_states[i].config.config, "OnBuild"); j.is_array()) {
      for (const auto& t : j)
        if (t.is_string())
          triggers.push_back(t.get<std::string>());
    }
    if (triggers.empty())
      return {};
    std::string text;
    for (const auto& t : triggers)
      text += t + "\n";
    std::string where = m_req.dockerfile_name + " (ONBUILD triggers of " + st.base + ")";
    auto ast = TRY(df::parse(text, where));
    auto parsed = TRY(df::parse_instructions(ast, text, where));
    for (auto& ins : parsed) {
      ins.start_line = ins.end_line = st.from.start_line;
      ins.original = "ONBUILD " + ins.original;
    }
    st.instructions.insert(st.instructions.begin(), parsed.begin(), parsed.end());
    return {};
  }

  // The stage starts from `img`: its layers as vertices, its config.
  Result<void> use_image(const ResolvedImage& img, StageState& s) {
    s.config = img.config;
    s.config.history.clear();
    ensure_path(s.config.config.env);
    s.vertex = TRY(image_vertex(img));
    return {};
  }

  Result<solver::Vertex*> image_vertex(const ResolvedImage& img) {
    if (m_env->state)
      TRY_VOID(adopt_image_layers(*m_env->state, img));
    solver::Vertex* v = nullptr;
    for (size_t l = 0; l < img.layers.size(); ++l) {
      auto op = std::make_shared<LayerOp>(m_env, img.layers[l], img.config.diff_ids.at(l), img.name,
                                          l, img.layers.size());
      v = m_plan.graph.add(op, v ? std::vector<solver::Vertex*>{v} : std::vector<solver::Vertex*>{});
    }
    return v;
  }

  // A named context as the base of a stage (or a COPY --from source).
  Result<void> from_context(const NamedContext& c, const oci::Platform& p, StageState& s) {
    switch (c.kind) {
    case NamedContext::Kind::image:
      return use_image(TRY(m_images.resolve(c.value, p)), s);
    case NamedContext::Kind::oci_layout:
      return use_image(TRY(resolve_oci_layout(m_env->state->content(), c.value, p)), s);
    case NamedContext::Kind::linked: {
      const auto& produced = m_plan.requests.at(c.linked);
      const PlatformPlan* match = nullptr;
      for (const auto& pp : produced)
        if (pp.platform == p || produced.size() == 1)
          match = &pp;
      if (!match)
        return fail("linked target does not build platform " + p.str() +
                    ": add it to the linked target's platforms");
      s.vertex = match->root;
      s.config = match->config;
      for (const auto& h : match->history)
        s.history.push_back(h);
      return {};
    }
    }
    return {};
  }

  std::string step_name(const df::Stage& st, const oci::Platform& p, size_t step, size_t count,
                        const std::string& text, bool multi_stage) const {
    std::string prefix = multi_stage ? st.display_name() + " " : "";
    std::string plat = m_req.platforms.size() > 1 ? p.str() + " " : "";
    return "[" + plat + prefix + std::to_string(step) + "/" + std::to_string(count) + "] " + text;
  }

  bool cacheable(const df::Stage& st) const {
    for (const auto& f : m_req.no_cache_filter)
      if (util::to_lower(f) == st.name || f == std::to_string(st.index))
        return false;
    return true;
  }

  Result<solver::Vertex*> stage_or_image(const df::StageGraph& graph, const std::string& from) {
    if (auto ctx = m_req.contexts.find(from); ctx != m_req.contexts.end()) {
      StageState tmp;
      TRY_VOID(from_context(ctx->second, m_platform, tmp));
      return tmp.vertex;
    }
    if (auto idx = graph.find(from)) {
      if (!m_states[*idx].done)
        return fail("stage \"" + from + "\" is used before it is built");
      return m_states[*idx].vertex;
    }
    return image_vertex(TRY(m_images.resolve(from, m_platform)));
  }

  // The file a shebang heredoc runs from: a one-file filesystem (mode 0755)
  // bound read-only at /dev/pipes/<name>. Returns the vertex, which the
  // caller adds as the RUN's input `input_index`.
  solver::Vertex* shebang_script(ExecDef& def, const df::Heredoc& hd, const oci::Platform& p,
                                 int input_index) {
    auto* scratch = m_plan.graph.add(
        std::make_shared<MkdirOp>(m_env, "/", "", p.str(), "[internal] scratch"));
    CopyDef file;
    file.sources = {hd.name};
    file.dest = "/" + hd.name;
    file.chmod = "0755";
    file.platform = p.str();
    file.inline_files[hd.name] = hd.chomp ? strip_leading_tabs(hd.content) : hd.content;
    auto* v = m_plan.graph.add(
        std::make_shared<CopyOp>(m_env, file, "[internal] heredoc " + hd.name, true), {scratch});
    df::Mount m;
    m.type = df::MountType::bind;
    m.source = "/" + hd.name;
    m.target = "/dev/pipes/" + hd.name;
    def.mounts.push_back(RunMount{m, input_index});
    return v;
  }

  // Input 0 is the filesystem; an empty one (scratch) gets an empty mkdir
  // so every op has a root to work on.
  solver::Vertex* root_of(StageState& s) {
    if (!s.vertex)
      s.vertex = m_plan.graph.add(
          std::make_shared<MkdirOp>(m_env, "/", "", s.platform.str(), "[internal] scratch"));
    return s.vertex;
  }

  Result<void> convert_stage(const df::StageGraph& graph, const df::Evaluation& ev, size_t i,
                             const std::vector<size_t>& order) {
    const df::Stage& st = graph.stages[i];
    StageState& s = m_states[i];
    if (st.base_stage)
      s = m_states[*st.base_stage];
    else if (auto it = m_base_history.find(i); it != m_base_history.end())
      s.config.history = it->second;
    s.done = false;
    s.cmd_set = false;
    // Triggers run once, in the direct child (inserted above), never later.
    set_extra(s.config.config, "OnBuild", nullptr);
    if (auto j = get_extra(s.config.config, "Shell"); j.is_array() && !j.empty()) {
      s.shell.clear();
      for (const auto& a : j)
        s.shell.push_back(a.is_string() ? a.get<std::string>() : "");
    }
    const df::EvaluatedStage& es = ev.stages.at(i);
    bool multi = order.size() > 1;
    size_t count = es.instructions.size() + 1;
    std::string from_text = "FROM " + st.base;
    if (s.vertex == nullptr && util::to_lower(st.base) == "scratch")
      from_text = "FROM scratch";
    bool use_cache = cacheable(st);
    for (size_t k = 0; k < es.instructions.size(); ++k) {
      const df::Instruction& ins = es.instructions[k];
      std::string name = step_name(st, s.platform, k + 2, count, ins.original, multi);
      PendingHistory h;
      h.entry.created = now();
      h.before = s.vertex;
      TRY_VOID(apply(graph, st, s, ins, es.env_at.at(k), es.proxy_env, name, use_cache, h.entry));
      h.after = s.vertex;
      if (!h.entry.created_by.empty())
        s.history.push_back(h);
    }
    s.config.created = now();
    s.done = true;
    return {};
  }

  Result<void> apply(const df::StageGraph& graph, const df::Stage& st, StageState& s,
                     const df::Instruction& ins, const df::EnvList& visible,
                     const df::EnvList& proxy, const std::string& name, bool use_cache,
                     oci::HistoryEntry& h) {
    auto& cfg = s.config.config;
    return std::visit(
        [&](const auto& d) -> Result<void> {
          using T = std::decay_t<decltype(d)>;
          if constexpr (std::is_same_v<T, df::RunCmd>) {
            ExecDef def;
            def.argv = command_argv(d.command, s.shell);
            if (!d.heredocs.empty() && d.command.shell_form) {
              // `RUN <<EOF` alone: the body is the script. Heredocs inside a
              // command (`cat <<A > f`) go to the shell with the command
              // line, bodies and delimiters, as BuildKit does.
              std::string line = util::join(d.command.args, " ");
              std::string script;
              bool sole = d.heredocs.size() == 1 && line.starts_with("<<") &&
                          heredoc_word(line) == d.heredocs[0].name;
              if (sole && d.heredocs[0].content.starts_with("#!")) {
                // A script with a shebang runs as a file, through its own
                // interpreter (BuildKit mounts it at /dev/pipes/<name>).
                def.argv = {"/dev/pipes/" + d.heredocs[0].name};
              } else if (sole) {
                script = d.heredocs[0].content;
              } else {
                script = line + "\n";
                for (const auto& hd : d.heredocs)
                  script += hd.content + hd.name + "\n";
              }
              if (!script.empty()) {
                def.argv = s.shell;
                def.argv.push_back(script);
              }
            }
            for (const auto& [k, v] : visible)
              def.env.push_back(k + "=" + v);
            for (const auto& [k, v] : proxy)
              def.proxy_env.push_back(k + "=" + v);
            def.cwd = cfg.working_dir.empty() ? "/" : cfg.working_dir;
            def.user = cfg.user;
            def.network = d.network.empty() ? "default" : d.network;
            def.platform = s.platform.str();
            std::vector<solver::Vertex*> inputs = {root_of(s)};
            if (def.argv.size() == 1 && def.argv[0].starts_with("/dev/pipes/"))
              inputs.push_back(shebang_script(def, d.heredocs[0], s.platform,
                                              static_cast<int>(inputs.size())));
            for (const auto& m : d.mounts) {
              RunMount rm{m, -1};
              if (!m.from.empty() && m.type != df::MountType::secret) {
                inputs.push_back(TRY(stage_or_image(graph, m.from)));
                rm.input = static_cast<int>(inputs.size() - 1);
              }
              if (rm.spec.target.empty() && m.type == df::MountType::secret && m.env.empty())
                rm.spec.target = "/run/secrets/" + m.id;
              def.mounts.push_back(rm);
            }
            h.created_by = "RUN " + util::join(def.argv, " ") + " # buildkit";
            s.vertex = m_plan.graph.add(std::make_shared<ExecOp>(m_env, def, name, use_cache), inputs);
          } else if constexpr (std::is_same_v<T, df::CopyCmd> || std::is_same_v<T, df::AddCmd>) {
            const df::CopySpec& spec = d.spec;
            if (spec.sources.size() > 1 && !spec.dest.ends_with("/"))
              return fail(m_req.dockerfile_name + ":" + std::to_string(ins.start_line) + ": When using " +
                          (std::is_same_v<T, df::CopyCmd> ? "COPY" : "ADD") +
                          " with more than one source file, the destination must be a directory "
                          "and end with a / (got \"" + spec.dest + "\")");
            CopyDef def;
            def.sources = spec.sources;
            def.dest = join_path(cfg.working_dir, spec.dest);
            if (spec.dest.ends_with("/") && !def.dest.ends_with("/"))
              def.dest += "/";
            def.chown = spec.chown;
            def.chmod = spec.chmod;
            def.excludes = spec.excludes;
            def.platform = s.platform.str();
            // A heredoc source is written `<<EOF`, `<<-EOF` or `<<'EOF'`; the
            // file it makes is named by the bare delimiter. Unquoted bodies
            // expand variables and `<<-` strips leading tabs, as in BuildKit.
            for (const auto& hd : spec.heredocs) {
              std::string body = hd.chomp ? strip_leading_tabs(hd.content) : hd.content;
              if (hd.expand) {
                df::ShellOptions o;
                o.raw_quotes = o.raw_escapes = true;
                body = TRY(df::expand_word(body, df::env_from_list(visible), o));
              }
              def.inline_files[hd.name] = body;
              for (auto& src : def.sources)
                if (src.starts_with("<<") && heredoc_word(src) == hd.name)
                  src = hd.name;
            }
            std::vector<solver::Vertex*> inputs = {root_of(s)};
            if constexpr (std::is_same_v<T, df::CopyCmd>) {
              if (!d.from.empty()) {
                auto* src = TRY(stage_or_image(graph, d.from));
                if (!src)
                  src = m_plan.graph.add(std::make_shared<MkdirOp>(m_env, "/", "", s.platform.str(),
                                                                   "[internal] scratch"));
                inputs.push_back(src);
                def.from_input = true;
              }
            } else {
              for (const auto& src : spec.sources)
                if (src.find("://") != std::string::npos || src.starts_with("git@"))
                  return fail(m_req.dockerfile_name + ":" + std::to_string(ins.start_line) +
                              ": ADD from a URL is not supported yet by the embedded engine; "
                              "download the file in a RUN step instead");
              def.unpack_archives = d.unpack.value_or(true);
            }
            h.created_by = util::to_lower(ins.keyword) == "add" ? "ADD " : "COPY ";
            h.created_by += util::join(spec.sources, " ") + " " + spec.dest + " # buildkit";
            s.vertex = m_plan.graph.add(std::make_shared<CopyOp>(m_env, def, name, use_cache), inputs);
          } else if constexpr (std::is_same_v<T, df::WorkdirCmd>) {
            cfg.working_dir = join_path(cfg.working_dir, d.path);
            h.created_by = "WORKDIR " + cfg.working_dir;
            s.vertex = m_plan.graph.add(
                std::make_shared<MkdirOp>(m_env, cfg.working_dir, cfg.user, s.platform.str(), name),
                {root_of(s)});
          } else if constexpr (std::is_same_v<T, df::EnvCmd>) {
            std::vector<std::string> parts;
            for (const auto& kv : d.env) {
              set_env(cfg.env, kv.key, kv.value);
              parts.push_back(kv.key + "=" + kv.value);
            }
            h.created_by = "ENV " + util::join(parts, " ");
            h.empty_layer = true;
          } else if constexpr (std::is_same_v<T, df::LabelCmd>) {
            std::vector<std::string> parts;
            for (const auto& kv : d.labels) {
              cfg.labels[kv.key] = kv.value;
              parts.push_back(kv.key + "=" + kv.value);
            }
            h.created_by = "LABEL " + util::join(parts, " ");
            h.empty_layer = true;
          } else if constexpr (std::is_same_v<T, df::ExposeCmd>) {
            for (const auto& spec : d.ports)
              for (const auto& port : TRY(expand_ports(spec)))
                if (std::find(cfg.exposed_ports.begin(), cfg.exposed_ports.end(), port) ==
                    cfg.exposed_ports.end())
                  cfg.exposed_ports.push_back(port);
            h.created_by = "EXPOSE " + util::join(d.ports, " ");
            h.empty_layer = true;
          } else if constexpr (std::is_same_v<T, df::CmdCmd>) {
            cfg.cmd = command_argv(d.command, s.shell);
            s.cmd_set = true;
            h.created_by = "CMD [\"" + util::join(*cfg.cmd, "\" \"") + "\"]";
            h.empty_layer = true;
          } else if constexpr (std::is_same_v<T, df::EntrypointCmd>) {
            cfg.entrypoint = command_argv(d.command, s.shell);
            if (!s.cmd_set)
              cfg.cmd.reset(); // Docker: a new ENTRYPOINT drops the inherited CMD only
            h.created_by = "ENTRYPOINT [\"" + util::join(*cfg.entrypoint, "\" \"") + "\"]";
            h.empty_layer = true;
          } else if constexpr (std::is_same_v<T, df::ShellCmd>) {
            s.shell = d.shell;
            set_extra(cfg, "Shell", d.shell);
            h.created_by = "SHELL [\"" + util::join(d.shell, "\" \"") + "\"]";
            h.empty_layer = true;
          } else if constexpr (std::is_same_v<T, df::UserCmd>) {
            cfg.user = d.user;
            h.created_by = "USER " + d.user;
            h.empty_layer = true;
          } else if constexpr (std::is_same_v<T, df::VolumeCmd>) {
            for (const auto& v : d.paths)
              if (std::find(cfg.volumes.begin(), cfg.volumes.end(), v) == cfg.volumes.end())
                cfg.volumes.push_back(v);
            h.created_by = "VOLUME [" + util::join(d.paths, " ") + "]";
            h.empty_layer = true;
          } else if constexpr (std::is_same_v<T, df::StopsignalCmd>) {
            cfg.stop_signal = d.signal;
            h.created_by = "STOPSIGNAL " + d.signal;
            h.empty_layer = true;
          } else if constexpr (std::is_same_v<T, df::MaintainerCmd>) {
            s.config.author = d.maintainer;
            h.created_by = "MAINTAINER " + d.maintainer;
            h.empty_layer = true;
          } else if constexpr (std::is_same_v<T, df::HealthcheckCmd>) {
            set_extra(cfg, "Healthcheck", healthcheck_json(d));
            h.created_by = ins.original;
            h.empty_layer = true;
          } else if constexpr (std::is_same_v<T, df::OnbuildCmd>) {
            auto triggers = get_extra(cfg, "OnBuild");
            if (!triggers.is_array())
              triggers = nlohmann::json::array();
            triggers.push_back(d.expression);
            set_extra(cfg, "OnBuild", triggers);
            h.created_by = ins.original;
            h.empty_layer = true;
          }
          (void)st;
          return {};
        },
        ins.data);
  }

  const BuildRequest& m_req;
  std::shared_ptr<const OpEnv> m_env;
  ImageSource& m_images;
  Plan& m_plan;
  oci::Platform m_platform;
  std::vector<StageState> m_states;
  size_t m_index = 0;
  std::map<size_t, std::vector<oci::HistoryEntry>> m_base_history;
};

} // namespace

Result<void> plan_build(Plan& plan, size_t index, const BuildRequest& request,
                        std::shared_ptr<const OpEnv> env, ImageSource& images) {
  if (plan.requests.size() <= index)
    plan.requests.resize(index + 1);
  Converter conv(request, env, images, plan);
  conv.set_index(index);
  std::vector<oci::Platform> platforms = request.platforms;
  if (platforms.empty())
    platforms.push_back(oci::host_platform());
  for (const auto& p : platforms)
    TRY_VOID(conv.platform(p));
  return {};
}

} // namespace xbuild::engine::build
