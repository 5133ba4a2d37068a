#pragma once
// Typed Dockerfile instructions: the syntax tree's nodes checked against each
// instruction's rules and flags (BuildKit's frontend/dockerfile/instructions).
// Values are kept as written; variable expansion happens later, per stage,
// with the environment of that point (engine/dockerfile/evaluate.hpp).

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "engine/dockerfile/ast.hpp"
#include "util/error.hpp"

namespace xbuild::engine::dockerfile {

struct KeyValue {
  std::string key;
  std::string value;
  bool legacy = false; // written as `ENV key value` instead of `key=value`
};

enum class MountType { bind, cache, tmpfs, secret, ssh };
enum class CacheSharing { shared, private_, locked };

// One `RUN --mount=…`. Unset optionals take the type's default at run time.
struct Mount {
  MountType type = MountType::bind;
  std::string from;    // stage, image or named context; "" = build context
  std::string source;  // path inside `from` (bind/cache) or secret source
  std::string target;  // where it appears; defaulted for secret
  std::string id;      // cache/secret/ssh id; defaulted as BuildKit does
  bool read_only = true;
  CacheSharing sharing = CacheSharing::shared;
  bool required = false;
  std::optional<uint32_t> mode, uid, gid;
  uint64_t size_bytes = 0; // tmpfs size, 0 = unlimited
  std::string env;         // secret exposed as this environment variable
};

struct FromCmd {
  std::string base;       // image, stage name or `scratch`, unexpanded
  std::string stage_name; // lower-cased; "" when no `AS`
  std::string stage_name_as_written;
  std::string as_keyword; // `AS` as written (for FromAsCasing)
  std::string platform;   // --platform, unexpanded
};

// RUN, CMD, ENTRYPOINT: exec form runs `args` directly; shell form has one
// arg that runs under the stage's SHELL.
struct CommandLine {
  std::vector<std::string> args;
  bool shell_form = false;
};

struct RunCmd {
  CommandLine command;
  std::vector<Heredoc> heredocs;
  std::vector<Mount> mounts;
  std::string network;  // default | none | host ("" = default)
  std::string security; // sandbox | insecure ("" = sandbox)
  std::vector<std::string> devices;
};
struct CmdCmd { CommandLine command; };
struct EntrypointCmd { CommandLine command; };
struct ShellCmd { std::vector<std::string> shell; };
struct LabelCmd { std::vector<KeyValue> labels; };
struct MaintainerCmd { std::string maintainer; };
struct ExposeCmd { std::vector<std::string> ports; };
struct EnvCmd { std::vector<KeyValue> env; };

struct CopySpec {
  std::vector<std::string> sources; // unexpanded; heredoc names for heredocs
  std::string dest;
  std::vector<Heredoc> heredocs;
  std::string chown, chmod;
  bool link = false;
  std::vector<std::string> excludes;
};
struct AddCmd {
  CopySpec spec;
  std::optional<bool> keep_git_dir;
  std::string checksum;
  std::optional<bool> unpack;
};
struct CopyCmd {
  CopySpec spec;
  std::string from;
  bool parents = false;
};
struct VolumeCmd { std::vector<std::string> paths; };
struct UserCmd { std::string user; };
struct WorkdirCmd { std::string path; };
struct ArgCmd {
  struct Arg {
    std::string name;
    std::optional<std::string> default_value;
  };
  std::vector<Arg> args;
};
struct OnbuildCmd { std::string expression; }; // the trigger, as written
struct StopsignalCmd { std::string signal; };
struct HealthcheckCmd {
  bool none = false;
  std::vector<std::string> test; // "CMD" + args or "CMD-SHELL" + line
  std::optional<int64_t> interval_ns, timeout_ns, start_period_ns, start_interval_ns;
  std::optional<int> retries;
};

using InstructionData =
    std::variant<FromCmd, RunCmd, CmdCmd, EntrypointCmd, ShellCmd, LabelCmd, MaintainerCmd, ExposeCmd,
                 EnvCmd, AddCmd, CopyCmd, VolumeCmd, UserCmd, WorkdirCmd, ArgCmd, OnbuildCmd,
                 StopsignalCmd, HealthcheckCmd>;

struct Instruction {
  std::string keyword;         // lower case, e.g. "copy"
  std::string keyword_as_written;
  std::string original;        // the logical source line
  int start_line = 0, end_line = 0;
  InstructionData data;
};

// Checks one syntax-tree node and builds its typed form. Errors are bare
// messages (the caller adds file:line), e.g. "unknown flag: --chwon (did you
// mean --chown?)".
Result<Instruction> parse_instruction(const Node& node);

// Every instruction of a parsed Dockerfile, errors located in `filename`.
Result<std::vector<Instruction>> parse_instructions(const ParseResult& ast, std::string_view text,
                                                    std::string_view filename = "Dockerfile");

// Go duration syntax ("1m30s", "500ms") in nanoseconds; nullopt when malformed.
std::optional<int64_t> parse_duration_ns(std::string_view s);

// `--mount` value → Mount with defaults applied and BuildKit's checks.
Result<Mount> parse_mount(std::string_view value);

} // namespace xbuild::engine::dockerfile
