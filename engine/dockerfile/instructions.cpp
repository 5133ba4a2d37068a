// Syntax-tree node -> typed instruction, with BuildKit's per-instruction
// argument counts, flags and messages (frontend/dockerfile/instructions).

#include "engine/dockerfile/instructions.hpp"

#include "engine/dockerfile/chmod.hpp"
#include "engine/dockerfile/flags.hpp"
#include "engine/dockerfile/parser.hpp"
#include "util/strings.hpp"

namespace xbuild::engine::dockerfile {
namespace {

using K = Flags::Kind;

const std::vector<std::string> k_instructions = {
    "ADD", "ARG", "CMD", "COPY", "ENTRYPOINT", "ENV", "EXPOSE", "FROM", "HEALTHCHECK", "LABEL",
    "MAINTAINER", "ONBUILD", "RUN", "SHELL", "STOPSIGNAL", "USER", "VOLUME", "WORKDIR"};

std::string upper(std::string s) {
  for (auto& c : s)
    c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

struct Req {
  const Node& node;
  std::string name; // upper case
  std::vector<std::string> args;
  Flags flags;
};

Result<void> at_least(const Req& r, size_t n) {
  if (r.args.size() >= n)
    return {};
  return fail(r.name + (n == 1 ? " requires at least one argument" : " requires at least two arguments"));
}

Result<void> exactly_one(const Req& r) {
  if (r.args.size() == 1)
    return {};
  return fail(r.name + " requires exactly one argument");
}

CommandLine command_line(const Req& r) {
  if (r.node.json)
    return {r.args, false};
  return {{util::join(r.args, " ")}, true};
}

bool valid_stage_name(const std::string& n) {
  if (n.empty() || n[0] < 'a' || n[0] > 'z')
    return false;
  for (char c : n)
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.'))
      return false;
  return true;
}

Result<InstructionData> parse_from(Req& r) {
  r.flags.add("platform", K::string);
  TRY_VOID(r.flags.parse(r.node.flags, r.name));
  if (r.args.size() != 1 && r.args.size() != 3)
    return fail("FROM requires either one or three arguments (FROM image [AS name])");
  FromCmd f;
  f.base = r.args[0];
  f.platform = r.flags.str("platform");
  if (r.args.size() == 3) {
    if (util::to_lower(r.args[1]) != "as")
      return fail("When using FROM with 3 arguments, 2nd argument must be \"AS\"");
    f.as_keyword = r.args[1];
    f.stage_name_as_written = r.args[2];
    f.stage_name = util::to_lower(r.args[2]);
    if (!valid_stage_name(f.stage_name))
      return fail("invalid name for build stage: \"" + r.args[2] +
                  "\", name can't start with a number or contain symbols");
  }
  return f;
}

Result<InstructionData> parse_run(Req& r) {
  r.flags.add("mount", K::strings);
  r.flags.add("network", K::string);
  r.flags.add("security", K::string);
  r.flags.add("device", K::strings);
  TRY_VOID(r.flags.parse(r.node.flags, r.name));
  TRY_VOID(at_least(r, 1));
  RunCmd run;
  run.command = command_line(r);
  run.heredocs = r.node.heredocs;
  for (const auto& m : r.flags.strings("mount"))
    run.mounts.push_back(TRY(parse_mount(m)));
  run.network = r.flags.str("network");
  if (!run.network.empty() && run.network != "default" && run.network != "none" &&
      run.network != "host")
    return fail("unsupported network mode \"" + run.network + "\" (use default, none or host)");
  run.security = r.flags.str("security");
  if (!run.security.empty() && run.security != "sandbox" && run.security != "insecure")
    return fail("unsupported security mode \"" + run.security + "\" (use sandbox or insecure)");
  run.devices = r.flags.strings("device");
  return run;
}

Result<std::vector<KeyValue>> key_values(const Req& r) {
  std::vector<KeyValue> out;
  for (size_t i = 0; i + 2 < r.args.size(); i += 3) {
    if (r.args[i].empty())
      return fail(r.name + " names can not be blank");
    out.push_back({r.args[i], r.args[i + 1], r.args[i + 2].empty()});
  }
  return out;
}

Result<CopySpec> copy_spec(Req& r) {
  TRY_VOID(r.flags.parse(r.node.flags, r.name));
  if (r.args.size() < 2)
    return fail(r.name + " requires at least two arguments, but only " +
                std::to_string(r.args.size()) + " was provided. Destination could not be determined.");
  CopySpec s;
  s.sources.assign(r.args.begin(), r.args.end() - 1);
  s.dest = r.args.back();
  s.heredocs = r.node.heredocs;
  s.chown = r.flags.str("chown");
  s.chmod = r.flags.str("chmod");
  if (!s.chmod.empty() && s.chmod.find('$') == std::string::npos)
    TRY(parse_chmod(s.chmod)); // variables are checked once expanded
  s.link = r.flags.boolean("link");
  s.excludes = r.flags.strings("exclude");
  return s;
}

void add_copy_flags(Flags& f) {
  f.add("chown", K::string);
  f.add("chmod", K::string);
  f.add("link", K::boolean);
  f.add("exclude", K::strings);
}

Result<InstructionData> parse_copy(Req& r) {
  add_copy_flags(r.flags);
  r.flags.add("from", K::string);
  r.flags.add("parents", K::boolean);
  CopyCmd c;
  c.spec = TRY(copy_spec(r));
  c.from = r.flags.str("from");
  if (c.from.find('$') != std::string::npos)
    return fail("variable expansion is not supported for --from, define a new stage with FROM "
                "using ARG from global scope as a workaround");
  c.parents = r.flags.boolean("parents");
  return c;
}

Result<InstructionData> parse_add(Req& r) {
  add_copy_flags(r.flags);
  r.flags.add("keep-git-dir", K::boolean);
  r.flags.add("checksum", K::string);
  r.flags.add("unpack", K::boolean);
  AddCmd a;
  a.spec = TRY(copy_spec(r));
  a.keep_git_dir = r.flags.opt_bool("keep-git-dir");
  a.checksum = r.flags.str("checksum");
  a.unpack = r.flags.opt_bool("unpack");
  return a;
}

Result<std::optional<int64_t>> interval(const Flags& f, const std::string& name) {
  if (!f.is_set(name) || f.str(name).empty())
    return std::optional<int64_t>();
  auto ns = parse_duration_ns(f.str(name));
  if (!ns)
    return fail("invalid duration for --" + name + ": \"" + f.str(name) + "\" (e.g. 30s, 1m30s)");
  if (*ns != 0 && *ns < 1000000)
    return fail("Interval \"" + name + "\" cannot be less than 1ms");
  return std::optional<int64_t>(*ns);
}

Result<InstructionData> parse_healthcheck(Req& r) {
  for (const char* f : {"interval", "timeout", "start-period", "start-interval", "retries"})
    r.flags.add(f, K::string);
  TRY_VOID(r.flags.parse(r.node.flags, r.name));
  TRY_VOID(at_least(r, 1));
  HealthcheckCmd h;
  auto typ = upper(r.args[0]);
  std::vector<std::string> rest(r.args.begin() + 1, r.args.end());
  if (typ == "NONE") {
    if (!rest.empty())
      return fail("HEALTHCHECK NONE takes no arguments");
    h.none = true;
    h.test = {"NONE"};
    return h;
  }
  if (typ != "CMD")
    return fail("Unknown type \"" + r.args[0] + "\" in HEALTHCHECK (try CMD)");
  if (rest.empty())
    return fail("Missing command after HEALTHCHECK CMD");
  h.test = {r.node.json ? "CMD" : "CMD-SHELL"};
  if (r.node.json)
    h.test.insert(h.test.end(), rest.begin(), rest.end());
  else
    h.test.push_back(util::join(rest, " "));
  h.interval_ns = TRY(interval(r.flags, "interval"));
  h.timeout_ns = TRY(interval(r.flags, "timeout"));
  h.start_period_ns = TRY(interval(r.flags, "start-period"));
  h.start_interval_ns = TRY(interval(r.flags, "start-interval"));
  if (r.flags.is_set("retries")) {
    auto v = r.flags.str("retries");
    char* end = nullptr;
    long n = std::strtol(v.c_str(), &end, 10);
    if (v.empty() || *end)
      return fail("invalid --retries value \"" + v + "\": expected a whole number");
    if (n < 0)
      return fail("--retries cannot be negative (" + v + ")");
    h.retries = static_cast<int>(n);
  }
  return h;
}

Result<InstructionData> parse_onbuild(Req& r) {
  TRY_VOID(r.flags.parse(r.node.flags, r.name));
  if (!r.node.next || r.node.next->children.empty())
    return fail("ONBUILD requires at least one argument");
  auto trigger = upper(r.node.next->children[0]->value);
  if (trigger == "ONBUILD")
    return fail("ONBUILD ONBUILD isn't allowed");
  if (trigger == "MAINTAINER" || trigger == "FROM")
    return fail(trigger + " isn't allowed as an ONBUILD trigger");
  std::string expr(util::trim(r.node.original));
  expr = std::string(util::trim(std::string_view(expr).substr(std::min(expr.size(), size_t{7}))));
  return OnbuildCmd{expr};
}

Result<InstructionData> parse_arg(Req& r) {
  TRY_VOID(r.flags.parse(r.node.flags, r.name));
  TRY_VOID(at_least(r, 1));
  ArgCmd a;
  for (const auto& w : r.args) {
    auto eq = w.find('=');
    ArgCmd::Arg arg{w.substr(0, eq), std::nullopt};
    if (eq != std::string::npos)
      arg.default_value = w.substr(eq + 1);
    if (arg.name.empty())
      return fail("ARG names can not be blank");
    a.args.push_back(std::move(arg));
  }
  return a;
}

Result<InstructionData> parse_simple(Req& r) {
  TRY_VOID(r.flags.parse(r.node.flags, r.name));
  const auto& n = r.name;
  if (n == "CMD" || n == "ENTRYPOINT") {
    auto cl = command_line(r);
    if (n == "CMD")
      return CmdCmd{cl};
    return EntrypointCmd{cl};
  }
  if (n == "SHELL") {
    if (!r.node.json)
      return fail("SHELL requires the arguments to be in JSON form, e.g. SHELL [\"/bin/sh\", \"-c\"]");
    TRY_VOID(at_least(r, 1));
    return ShellCmd{r.args};
  }
  if (n == "ENV" || n == "LABEL") {
    TRY_VOID(at_least(r, 1));
    auto kv = TRY(key_values(r));
    if (n == "ENV")
      return EnvCmd{kv};
    return LabelCmd{kv};
  }
  if (n == "EXPOSE" || n == "VOLUME") {
    TRY_VOID(at_least(r, 1));
    if (n == "EXPOSE")
      return ExposeCmd{r.args};
    for (const auto& p : r.args)
      if (util::trim(p).empty())
        return fail("VOLUME specified can not be an empty string");
    return VolumeCmd{r.args};
  }
  TRY_VOID(exactly_one(r));
  if (n == "MAINTAINER")
    return MaintainerCmd{r.args[0]};
  if (n == "USER")
    return UserCmd{r.args[0]};
  if (n == "WORKDIR")
    return WorkdirCmd{r.args[0]};
  return StopsignalCmd{r.args[0]};
}

// The word an error is about, for the caret under the source line.
std::string offending_token(const std::string& message) {
  for (const char* prefix : {"unknown flag: ", "unknown instruction: "}) {
    if (message.rfind(prefix, 0) == 0) {
      auto rest = message.substr(std::string(prefix).size());
      return rest.substr(0, rest.find(' '));
    }
  }
  return {};
}

} // namespace

Result<Instruction> parse_instruction(const Node& node) {
  Req r{node, upper(node.value), node.args(), {}};
  if (std::find(k_instructions.begin(), k_instructions.end(), r.name) == k_instructions.end()) {
    std::string msg = "unknown instruction: " + node.value;
    if (auto near = util::closest_match(r.name, k_instructions); !near.empty())
      msg += " (did you mean " + near + "?)";
    return fail(msg);
  }
  Instruction ins;
  ins.keyword = util::to_lower(node.value);
  ins.keyword_as_written = node.value;
  ins.original = node.original;
  ins.start_line = node.start_line;
  ins.end_line = node.end_line;
  const auto& n = r.name;
  ins.data = n == "FROM"          ? TRY(parse_from(r))
             : n == "RUN"         ? TRY(parse_run(r))
             : n == "COPY"        ? TRY(parse_copy(r))
             : n == "ADD"         ? TRY(parse_add(r))
             : n == "HEALTHCHECK" ? TRY(parse_healthcheck(r))
             : n == "ONBUILD"     ? TRY(parse_onbuild(r))
             : n == "ARG"         ? TRY(parse_arg(r))
                                  : TRY(parse_simple(r));
  return ins;
}

Result<std::vector<Instruction>> parse_instructions(const ParseResult& ast, std::string_view text,
                                                    std::string_view filename) {
  std::vector<Instruction> out;
  for (const auto& child : ast.root.children) {
    auto ins = parse_instruction(*child);
    if (!ins)
      return fail(located_error(filename, text, child->start_line, ins.error().message,
                                child->end_line, offending_token(ins.error().message)));
    out.push_back(std::move(*ins));
  }
  return out;
}

} // namespace xbuild::engine::dockerfile
