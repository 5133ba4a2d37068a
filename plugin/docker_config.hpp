#pragma once
// Docker's client configuration: the config directory (`--config` >
// `DOCKER_CONFIG` > ~/.docker) and its config.json.

#include <filesystem>
#include <optional>
#include <string>

#include <nlohmann/json_fwd.hpp>

#include "util/error.hpp"

namespace xbuild::plugin {

std::filesystem::path docker_config_dir(const std::optional<std::string>& flag);

// Parsed config.json; an empty object when the file does not exist. A file
// that exists but is not valid JSON is an error naming the file.
Result<nlohmann::json> load_docker_config(const std::filesystem::path& config_dir);

} // namespace xbuild::plugin
