#pragma once
// Runs a build request on the selected builder with progress rendering and
// buildx's side files (--metadata-file, --iidfile). Shared by `build` and
// (later) `bake`.

#include <string>

#include "driver/build_request.hpp"
#include "plugin/context.hpp"

namespace xbuild::plugin {

struct BuildUi {
  std::string progress = "auto"; // --progress
  std::string metadata_file;
  std::string iidfile;
  bool quiet = false;            // -q: print only the image id
};

// Warns, once per option, that the engine builds without options it does
// not implement yet (BuildRequest::ignored); `who` prefixes each line
// ("target \"app\": " in bake).
void warn_ignored(const std::string& who, const std::vector<std::string>& ignored);

int run_engine_build(Context& ctx, driver::BuildRequest request, const BuildUi& ui);

} // namespace xbuild::plugin
