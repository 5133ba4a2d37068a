// Lint rules. Each rule is a small function over the parsed file, the stage
// graph or the evaluated stages, appending warnings through one `emit`
// helper that fills in the rule's description and documentation URL. The
// texts follow BuildKit's frontend/dockerfile/linter/ruleset.go so that
// output reads the same as `docker buildx build --check`.

#include "engine/dockerfile/lint.hpp"

#include <algorithm>
#include <map>

#include "engine/dockerfile/evaluate.hpp"
#include "engine/dockerfile/shell_lexer.hpp"
#include "util/strings.hpp"

namespace xbuild::engine::dockerfile {
namespace {

const std::map<std::string, std::string> k_descriptions = {
    {"StageNameCasing", "Stage names should be lowercase"},
    {"FromAsCasing", "The 'as' keyword should match the case of the 'from' keyword"},
    {"NoEmptyContinuation", "Empty continuation lines will become errors in a future release"},
    {"ConsistentInstructionCasing",
     "All commands within the Dockerfile should use the same casing (either upper or lower)"},
    {"DuplicateStageName", "Stage names should be unique"},
    {"ReservedStageName", "Reserved words should not be used as stage names"},
    {"JSONArgsRecommended",
     "JSON arguments recommended for ENTRYPOINT/CMD to prevent unintended behavior related to OS signals"},
    {"MaintainerDeprecated",
     "The MAINTAINER instruction is deprecated, use a label instead to define an image author"},
    {"UndefinedArgInFrom", "FROM command must use declared ARGs"},
    {"WorkdirRelativePath", "Relative workdir without an absolute workdir declared within the build "
                            "can have unexpected results if the base image changes"},
    {"UndefinedVar", "Variables should be defined before their use"},
    {"MultipleInstructionsDisallowed",
     "Multiple instructions of the same type should not be used in the same stage"},
    {"LegacyKeyValueFormat", "Legacy key/value format with whitespace separator should not be used"},
    {"InvalidBaseImagePlatform", "Base image platform does not match expected target platform"},
    {"RedundantTargetPlatform",
     "Setting platform to predefined $TARGETPLATFORM in FROM is redundant as this is the default behavior"},
    {"SecretsUsedInArgOrEnv", "Sensitive data should not be used in the ARG or ENV commands"},
    {"InvalidDefaultArgInFrom",
     "Default value for global ARG results in an empty or invalid base image name"},
    {"FromPlatformFlagConstDisallowed", "FROM --platform flag should not use a constant value"},
    {"CopyIgnoredFile", "Attempting to Copy file that is excluded by .dockerignore"},
    {"InvalidDefinitionDescription",
     "Comment for build stage or argument should follow the format: `# <arg/stage name> "
     "<description>`. If this is not intended to be a description comment, add an empty line or "
     "comment between the instruction and the comment."},
    {"ExposeProtoCasing", "Protocol in EXPOSE instruction should be lowercase"},
    {"ExposeInvalidFormat", "IP address and host-port mapping should not be used in EXPOSE "
                            "instruction. This will become an error in a future release"},
};

std::string kebab(const std::string& rule) {
  std::string out;
  for (size_t i = 0; i < rule.size(); ++i) {
    char c = rule[i];
    bool up = std::isupper(static_cast<unsigned char>(c));
    bool prev_lower = i > 0 && std::islower(static_cast<unsigned char>(rule[i - 1]));
    bool next_lower = i + 1 < rule.size() && std::islower(static_cast<unsigned char>(rule[i + 1]));
    bool prev_upper = i > 0 && std::isupper(static_cast<unsigned char>(rule[i - 1]));
    if (up && i > 0 && (prev_lower || (prev_upper && next_lower)))
      out += '-';
    out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return out;
}

std::string upper(std::string s) {
  for (auto& c : s)
    c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}
bool all_upper(const std::string& s) { return s == upper(s); }
bool all_lower(const std::string& s) { return s == util::to_lower(s); }

class Linter {
public:
  Linter(const LintInput& in, const CheckConfig& cfg) : m_in(in), m_cfg(cfg) {}

  std::vector<LintWarning> run() {
    for (const auto& w : m_in.ast->warnings)
      emit(w.rule, "Empty continuation line", w.line, w.line);
    casing();
    for (const auto& s : m_in.graph->stages)
      stage_rules(s);
    global_rules();
    evaluated_rules();
    std::stable_sort(m_out.begin(), m_out.end(), [](const auto& a, const auto& b) {
      return a.start_line < b.start_line;
    });
    return std::move(m_out);
  }

private:
  void emit(const std::string& rule, const std::string& detail, int start, int end = 0) {
    if (m_cfg.skip_all || m_cfg.skip.count(rule))
      return;
    LintWarning w{rule, k_descriptions.at(rule),
                  "https://docs.docker.com/go/dockerfile/rule/" + kebab(rule) + "/", detail, start,
                  end ? end : start};
    m_out.push_back(std::move(w));
  }

  std::vector<const Instruction*> all_instructions() const {
    std::vector<const Instruction*> out;
    for (const auto& a : m_in.graph->global_args)
      out.push_back(&a);
    for (const auto& s : m_in.graph->stages) {
      out.push_back(&s.from);
      for (const auto& i : s.instructions)
        out.push_back(&i);
    }
    return out;
  }

  void casing() {
    int upper = 0, lower = 0;
    auto all = all_instructions();
    for (const auto* i : all) {
      upper += all_upper(i->keyword_as_written);
      lower += all_lower(i->keyword_as_written);
    }
    bool want_upper = upper >= lower;
    for (const auto* i : all) {
      const auto& k = i->keyword_as_written;
      if (want_upper ? !all_upper(k) : !all_lower(k))
        emit("ConsistentInstructionCasing",
             "Command '" + k + "' should match the case of the command majority (" +
                 (want_upper ? "uppercase" : "lowercase") + ")",
             i->start_line, i->end_line);
    }
  }

  void from_rules(const Stage& s) {
    const auto& f = std::get<FromCmd>(s.from.data);
    int line = s.from.start_line;
    if (!f.stage_name_as_written.empty()) {
      if (f.stage_name_as_written != f.stage_name)
        emit("StageNameCasing", "Stage name '" + f.stage_name_as_written + "' should be lowercase", line);
      const auto& kw = s.from.keyword_as_written;
      if ((all_upper(kw) && !all_upper(f.as_keyword)) || (all_lower(kw) && !all_lower(f.as_keyword)))
        emit("FromAsCasing", "'" + f.as_keyword + "' and '" + kw + "' keywords' casing do not match",
             line);
      if (f.stage_name == "scratch" || f.stage_name == "context")
        emit("ReservedStageName",
             "Stage name should not use the same name as reserved stage \"" + f.stage_name + "\"", line);
      if (!m_stage_names.insert(f.stage_name).second)
        emit("DuplicateStageName",
             "Duplicate stage name \"" + f.stage_name + "\", stage names should be unique", line);
    }
    if (!f.platform.empty()) {
      if (f.platform == "$TARGETPLATFORM" || f.platform == "${TARGETPLATFORM}")
        emit("RedundantTargetPlatform",
             "Setting platform to predefined " + f.platform +
                 " in FROM is redundant as this is the default behavior",
             line);
      else if (f.platform.find('$') == std::string::npos && !platform_in_name(f))
        emit("FromPlatformFlagConstDisallowed",
             "FROM --platform flag should not use constant value \"" + f.platform + "\"", line);
    }
  }

  static bool platform_in_name(const FromCmd& f) {
    for (const auto& part : util::split(f.platform, '/'))
      if (!part.empty() && f.stage_name.find(util::to_lower(part)) != std::string::npos)
        return true;
    return false;
  }

  void stage_rules(const Stage& s) {
    from_rules(s);
    std::map<std::string, std::vector<const Instruction*>> once;
    for (const auto& i : s.instructions) {
      if (i.keyword == "cmd" || i.keyword == "entrypoint" || i.keyword == "healthcheck")
        once[i.keyword].push_back(&i);
      if (auto* c = std::get_if<CmdCmd>(&i.data); c && c->command.shell_form)
        json_args("CMD", i);
      if (auto* e = std::get_if<EntrypointCmd>(&i.data); e && e->command.shell_form)
        json_args("ENTRYPOINT", i);
      if (std::holds_alternative<MaintainerCmd>(i.data))
        emit("MaintainerDeprecated", "Maintainer instruction is deprecated in favor of using label",
             i.start_line, i.end_line);
      legacy_kv(i);
      secrets(i);
      expose(i);
    }
    for (const auto& [kw, list] : once)
      for (size_t n = 0; n + 1 < list.size(); ++n)
        emit("MultipleInstructionsDisallowed",
             "Multiple " + upper(kw) + " instructions should not be used in the same stage because only the last one will be used",
             list[n]->start_line, list[n]->end_line);
  }

  void json_args(const std::string& kw, const Instruction& i) {
    emit("JSONArgsRecommended",
         "JSON arguments recommended for " + kw + " to prevent unintended behavior related to OS signals",
         i.start_line, i.end_line);
  }

  void legacy_kv(const Instruction& i) {
    const std::vector<KeyValue>* kvs = nullptr;
    if (auto* e = std::get_if<EnvCmd>(&i.data))
      kvs = &e->env;
    if (auto* l = std::get_if<LabelCmd>(&i.data))
      kvs = &l->labels;
    if (kvs && !kvs->empty() && kvs->front().legacy) {
      auto kw = i.keyword == "env" ? std::string("ENV") : std::string("LABEL");
      emit("LegacyKeyValueFormat",
           "\"" + kw + " key=value\" should be used instead of legacy \"" + kw + " key value\" format",
           i.start_line, i.end_line);
    }
  }

  static bool secret_name(const std::string& name) {
    static const std::set<std::string> k_secret = {"apikey", "auth", "credential", "credentials", "key",
                                                  "password", "pword", "passwd", "secret", "token"};
    bool hit = false;
    for (const auto& part : util::split(util::to_lower(name), '_')) {
      if (part == "public")
        return false;
      hit = hit || k_secret.count(part);
    }
    return hit;
  }

  void secrets(const Instruction& i) {
    auto check = [&](const std::string& kw, const std::string& name) {
      if (secret_name(name))
        emit("SecretsUsedInArgOrEnv",
             "Do not use ARG or ENV instructions for sensitive data (" + kw + " \"" + name + "\")",
             i.start_line, i.end_line);
    };
    if (auto* e = std::get_if<EnvCmd>(&i.data))
      for (const auto& kv : e->env)
        check("ENV", kv.key);
    if (auto* a = std::get_if<ArgCmd>(&i.data))
      for (const auto& arg : a->args)
        check("ARG", arg.name);
  }

  void expose(const Instruction& i) {
    auto* x = std::get_if<ExposeCmd>(&i.data);
    if (!x)
      return;
    for (const auto& p : x->ports) {
      if (p.find(':') != std::string::npos)
        emit("ExposeInvalidFormat",
             "EXPOSE instruction should not define an IP address or host-port mapping, found '" + p + "'",
             i.start_line, i.end_line);
      auto slash = p.find('/');
      if (slash != std::string::npos && p.substr(slash + 1) != util::to_lower(p.substr(slash + 1)))
        emit("ExposeProtoCasing",
             "Defined protocol '" + p + "' in EXPOSE instruction should be lowercase", i.start_line,
             i.end_line);
    }
  }

  void global_rules() {
    for (const auto& a : m_in.graph->global_args)
      secrets(a);
    std::vector<std::string> declared;
    EnvList defaults;
    for (const auto& [k, v] : platform_args(m_in.scope))
      defaults.emplace_back(k, v);
    for (const auto& ins : m_in.graph->global_args)
      for (const auto& a : std::get<ArgCmd>(ins.data).args) {
        declared.push_back(a.name);
        if (a.default_value) {
          auto v = expand_word(*a.default_value, env_from_list(defaults));
          defaults.emplace_back(a.name, v ? *v : "");
        }
      }
    auto known = declared;
    for (const auto& [k, _] : platform_args(m_in.scope))
      known.push_back(k);
    for (const auto& s : m_in.graph->stages) {
      const auto& f = std::get<FromCmd>(s.from.data);
      for (const auto* word : {&f.base, &f.platform}) {
        auto r = expand(*word, env_from_list(defaults));
        if (!r)
          continue;
        for (const auto& name : r->unmatched) {
          if (std::find(known.begin(), known.end(), name) != known.end())
            continue;
          std::string msg = "FROM argument '" + name + "' is not declared";
          if (auto near = util::closest_match(name, known); !near.empty())
            msg += " (did you mean " + near + "?)";
          emit("UndefinedArgInFrom", msg, s.from.start_line);
        }
        if (word == &f.base && f.base.find('$') != std::string::npos && !valid_image_name(r->word))
          emit("InvalidDefaultArgInFrom",
               "Default value for ARG " + f.base + " results in empty or invalid base image name",
               s.from.start_line);
      }
    }
  }

  static bool valid_image_name(const std::string& s) {
    if (s.empty() || s.back() == ':' || s.back() == '@' || s.front() == ':' || s.front() == '/')
      return false;
    auto repo_end = s.find_first_of(":@", s.rfind('/') == std::string::npos ? 0 : s.rfind('/'));
    auto repo = s.substr(0, repo_end);
    auto slash = repo.find('/');
    auto path = slash != std::string::npos && (repo.find_first_of(".:") < slash || repo.substr(0, slash) == "localhost")
                    ? repo.substr(slash + 1) : repo;
    for (char c : path)
      if (std::isupper(static_cast<unsigned char>(c)) || std::isspace(static_cast<unsigned char>(c)))
        return false;
    return true;
  }

  void evaluated_rules() {
    auto ev = evaluate(*m_in.graph, m_in.scope, "Dockerfile", m_in.image_env);
    if (!ev)
      return;
    for (const auto& u : ev->undefined) {
      if (u.name == "PATH")
        continue; // always set by the builder when the base image has none
      const auto& es = ev->stages[u.stage];
      // Suggest only names visible on that line.
      std::vector<std::string> names;
      for (size_t k = 0; k < es.instructions.size(); ++k)
        if (es.instructions[k].start_line == u.line) {
          for (const auto& [name, _] : es.env_at[k])
            names.push_back(name);
          break;
        }
      std::string msg = "Usage of undefined variable '$" + u.name + "'";
      if (auto near = util::closest_match(u.name, names); !near.empty())
        msg += " (did you mean $" + near + "?)";
      emit("UndefinedVar", msg, u.line);
    }
    for (const auto& es : ev->stages)
      stage_evaluated(m_in.graph->stages[es.index], es);
  }

  void stage_evaluated(const Stage& s, const EvaluatedStage& es) {
    bool absolute = s.base_stage && m_abs_workdir.count(*s.base_stage);
    for (const auto& i : es.instructions) {
      if (auto* w = std::get_if<WorkdirCmd>(&i.data)) {
        if (!w->path.empty() && w->path[0] == '/')
          absolute = true;
        else if (!absolute)
          emit("WorkdirRelativePath",
               "Relative workdir \"" + w->path + "\" can have unexpected results if the base image changes",
               i.start_line, i.end_line);
      }
      ignored_copy(i);
    }
    if (absolute)
      m_abs_workdir.insert(s.index);
  }

  void ignored_copy(const Instruction& i) {
    if (!m_in.ignore || m_in.ignore->empty())
      return;
    const CopySpec* spec = nullptr;
    std::string verb;
    if (auto* c = std::get_if<CopyCmd>(&i.data); c && c->from.empty()) {
      spec = &c->spec;
      verb = "Copy";
    } else if (auto* a = std::get_if<AddCmd>(&i.data)) {
      spec = &a->spec;
      verb = "Add";
    }
    if (!spec)
      return;
    for (const auto& src : spec->sources) {
      if (src.rfind("<<", 0) == 0 || src.find("://") != std::string::npos || src.rfind("git@", 0) == 0)
        continue;
      if (m_in.ignore->excluded(src))
        emit("CopyIgnoredFile",
             "Attempting to " + verb + " file \"" + src + "\" that is excluded by .dockerignore",
             i.start_line, i.end_line);
    }
  }

  const LintInput& m_in;
  const CheckConfig& m_cfg;
  std::vector<LintWarning> m_out;
  std::set<std::string> m_stage_names;
  std::set<size_t> m_abs_workdir;
};

} // namespace

Result<CheckConfig> parse_check_config(std::string_view value) {
  CheckConfig c;
  for (const auto& part : util::split(value, ';')) {
    auto t = std::string(util::trim(part));
    if (t.empty())
      continue;
    auto eq = t.find('=');
    if (eq == std::string::npos)
      return fail("invalid check directive \"" + t + "\": expected skip=RULES or error=true|false");
    auto key = util::to_lower(util::trim(t.substr(0, eq)));
    auto val = std::string(util::trim(t.substr(eq + 1)));
    if (key == "skip") {
      for (const auto& r : util::split(val, ',')) {
        auto name = std::string(util::trim(r));
        if (util::to_lower(name) == "all")
          c.skip_all = true;
        else if (!name.empty())
          c.skip.insert(name);
      }
    } else if (key == "error") {
      auto l = util::to_lower(val);
      if (l != "true" && l != "false")
        return fail("invalid check directive error=" + val + ": expected true or false");
      c.error = l == "true";
    } else if (key != "experimental") {
      return fail("invalid check directive key \"" + key + "\": expected skip or error");
    }
  }
  return c;
}

const std::vector<std::string>& lint_rule_names() {
  static const std::vector<std::string> k_names = [] {
    std::vector<std::string> v;
    for (const auto& [k, _] : k_descriptions)
      v.push_back(k);
    return v;
  }();
  return k_names;
}

std::vector<LintWarning> lint(const LintInput& in, const CheckConfig& config) {
  return Linter(in, config).run();
}

} // namespace xbuild::engine::dockerfile
