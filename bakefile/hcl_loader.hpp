#pragma once
// Loads bake files written in HCL native syntax: merges the files' bodies,
// resolves variables (--var, then the environment, then `default`), user
// functions and top-level constants, and evaluates `target` and `group`
// blocks (with `matrix` expansion and `target.<name>.<attr>` references)
// into a Config.

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "bakefile/hcl/source.hpp"
#include "bakefile/model/target.hpp"
#include "util/error.hpp"

namespace xbuild::bakefile {

struct LoadOptions {
  std::map<std::string, std::string> vars; // --var NAME=value
  std::map<std::string, std::string> env;  // the environment, as a snapshot
  std::string local_platform = "linux/amd64";
  std::string cmd_context = "cwd://";
};

// Evaluates `files` (in order; later variable blocks override earlier
// defaults, duplicate targets merge) into a Config.
Result<Config> load_hcl(const std::vector<std::shared_ptr<const hcl::SourceFile>>& files,
                        const LoadOptions& options);

} // namespace xbuild::bakefile
