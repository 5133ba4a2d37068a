#include "plugin/docker_config.hpp"

#include <cstdlib>
#include <nlohmann/json.hpp>

#include "util/fs.hpp"

namespace xbuild::plugin {

std::filesystem::path docker_config_dir(const std::optional<std::string>& flag) {
  if (flag && !flag->empty())
    return *flag;
  if (const char* env = std::getenv("DOCKER_CONFIG"); env && *env)
    return env;
  return std::filesystem::path(util::home_dir()) / ".docker";
}

Result<nlohmann::json> load_docker_config(const std::filesystem::path& config_dir) {
  auto path = config_dir / "config.json";
  std::error_code ec;
  if (!std::filesystem::exists(path, ec))
    return nlohmann::json::object();
  auto text = TRY(util::read_file(path));
  auto parsed = nlohmann::json::parse(text, nullptr, false);
  if (parsed.is_discarded() || !parsed.is_object())
    return fail(path.string() + ": not a valid JSON object; fix or remove the file");
  return parsed;
}

} // namespace xbuild::plugin
