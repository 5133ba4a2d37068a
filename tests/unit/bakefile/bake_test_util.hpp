#pragma once
// Helpers for bake tests: load HCL text as docker-bake.hcl and print the
// resolved definition as `--print` would.

#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "bakefile/hcl_loader.hpp"
#include "bakefile/model/resolve.hpp"

namespace xbuild::bakefile::test {

using nlohmann::json;

inline Result<Config> load(const std::vector<std::string>& texts, const LoadOptions& options = {}) {
  std::vector<std::shared_ptr<const hcl::SourceFile>> files;
  for (size_t i = 0; i < texts.size(); ++i)
    files.push_back(std::make_shared<hcl::SourceFile>(hcl::SourceFile{
        i == 0 ? "docker-bake.hcl" : "docker-bake.override.hcl", texts[i]}));
  return load_hcl(files, options);
}

// The --print JSON, or {"error": message}.
inline json print(const std::string& text, const std::vector<std::string>& targets = {},
                  const LoadOptions& options = {}) {
  auto config = load({text}, options);
  if (!config)
    return {{"error", config.error().message}};
  auto out = print_definition(*config, targets);
  if (!out)
    return {{"error", out.error().message}};
  return *out;
}

inline std::string error_of(const std::string& text, const std::vector<std::string>& targets = {},
                            const LoadOptions& options = {}) {
  json j = print(text, targets, options);
  return j.contains("error") ? j["error"].get<std::string>() : "";
}

} // namespace xbuild::bakefile::test
