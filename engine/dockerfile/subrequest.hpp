#pragma once
// `build --call=outline|targets|check`: answers about a Dockerfile without
// building it. Output formats are documented in docs/dockerfile.md.

#include <filesystem>
#include <map>
#include <string>

#include "util/error.hpp"

namespace xbuild::engine::dockerfile {

enum class CallMethod { build, check, outline, targets };

struct CallOptions {
  CallMethod method = CallMethod::build;
  bool json = false;          // format=json
  bool ignore_status = false; // ignorestatus=true: warnings do not fail
};

// "check", "outline,format=json", "targets,format=json", "check,ignorestatus=true".
Result<CallOptions> parse_call(std::string_view value);

struct CallRequest {
  std::string dockerfile_text;
  std::string dockerfile_name = "Dockerfile"; // for messages
  std::filesystem::path context_dir;          // for .dockerignore; empty = none
  std::filesystem::path dockerfile_path;      // for <Dockerfile>.dockerignore
  std::map<std::string, std::string> build_args;
  std::string target;
  std::string target_platform = "linux/amd64";
  std::string build_platform = "linux/amd64";
};

struct CallResult {
  std::string output; // what to print on stdout
  int exit_code = 0;
};

// Runs a subrequest. Malformed Dockerfiles are errors (located messages).
Result<CallResult> run_call(const CallRequest& request, const CallOptions& options);

// For a normal build: the lint warnings to show and whether `check=error=true`
// turns them into a failure (then `output` holds the ERROR text).
Result<CallResult> lint_before_build(const CallRequest& request);

} // namespace xbuild::engine::dockerfile
