// libFuzzer target for compose files as bake reads them: any byte string
// must either load or produce an error, through YAML parsing, `<<` merges,
// interpolation, include/extends (served from the input itself) and the
// service mapping; the interpolation and dotenv readers get the raw bytes
// too. Crashes, hangs, sanitizer reports and uncaught exceptions are bugs.

#include <cstddef>
#include <cstdint>
#include <string>

#include "bakefile/compose.hpp"
#include "bakefile/compose_env.hpp"
#include "bakefile/model/resolve.hpp"

using namespace xbuild::bakefile;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  ComposeOptions options;
  options.env = {{"SET", "v"}, {"EMPTY", ""}};
  options.home = "/home/fuzz";
  // Every other file (env_file, include, extends) reads as the input: cycles
  // must end with an error, not a hang.
  options.read_file = [&text](const std::string&) -> xbuild::Result<std::string> { return text; };
  auto source = std::make_shared<const hcl::SourceFile>(hcl::SourceFile{"compose.yaml", text});
  if (auto loaded = load_compose({source}, options))
    (void)print_definition(loaded->config, {});
  (void)check_compose(*source);
  EnvLookup lookup = [](const std::string& k) -> std::optional<std::string> {
    if (k == "SET")
      return std::string("v");
    return std::nullopt;
  };
  (void)interpolate(text, lookup);
  (void)parse_dotenv(text, lookup);
  return 0;
}
