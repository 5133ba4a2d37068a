#pragma once
// Compose files as bake definitions (buildx bake/compose.go): every service
// with a `build` section becomes a target named after the service (`.`
// becomes `_`), all of them in the group `default`. The build fields, the
// `x-bake` extension, top-level `secrets` and `image` map onto target
// attributes; `args` without a value come from the service's `environment`
// / `env_file`, then from the project environment (process environment,
// `.env`, `--var`). Values are interpolated as compose does (`${VAR:-x}`).
//
// Several compose files merge as compose merges them (mappings per key,
// lists appended, scalars replaced), and the result is placed before any
// HCL/JSON definitions, which then merge onto it target by target.

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "bakefile/hcl/source.hpp"
#include "bakefile/model/target.hpp"
#include "util/error.hpp"

namespace xbuild::bakefile {

enum class FileFormat {
  compose, // .yml, .yaml
  json,    // .json: HCL's JSON syntax
  hcl,     // .hcl
  unknown, // anything else (and stdin): try compose, then HCL, then JSON
};

// The format a file's name promises (the extension, case-insensitive).
FileFormat format_from_name(std::string_view name);

// Whether `file` reads as a compose file: a YAML mapping with a `services`
// mapping, or a `secrets` or `include` key. The error says why not ("empty compose file",
// a YAML syntax error with its line).
Result<void> check_compose(const hcl::SourceFile& file);

struct ComposeOptions {
  // The project environment (see compose_environment): interpolation, and
  // `args` without a value.
  std::map<std::string, std::string> env;
  // Expands a leading `~` in paths.
  std::string home;
  // Reads an `env_file` (relative paths are relative to the working dir).
  std::function<Result<std::string>(const std::string& path)> read_file;
};

struct ComposeResult {
  Config config;
  std::vector<std::string> warnings; // fields ignored, variables unset, ...
};

// Loads `files` (in order; later files override earlier ones) into targets
// and the `default` group. Errors name the file and line.
Result<ComposeResult> load_compose(const std::vector<std::shared_ptr<const hcl::SourceFile>>& files,
                                   const ComposeOptions& options);

// The compose project environment as buildx builds it: the process
// environment (none when `lookup_allowed` is false, i.e.
// BUILDX_BAKE_DISABLE_VARS_ENV_LOOKUP), plus the keys of `dotenv` (the
// working directory's `.env`, if any) that the environment does not set,
// then `vars` (`--var`) over both. The error is a `.env` syntax error.
Result<std::map<std::string, std::string>>
compose_environment(const std::map<std::string, std::string>& process_env, bool lookup_allowed,
                    const std::optional<std::string>& dotenv,
                    const std::map<std::string, std::string>& vars);

// Merges the HCL/JSON config `later` onto the compose config `base` as
// buildx's hclparser decodes blocks onto an existing config: a target of the
// same name merges attribute by attribute (merge_target: `later` wins where
// the rules say so), a group of the same name is replaced, new ones are
// appended.
void merge_config(Config& base, const Config& later);

// A compose service name as a bake target name: `.` becomes `_`.
std::string sanitize_target_name(std::string_view name);

} // namespace xbuild::bakefile
