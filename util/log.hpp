#pragma once
// Logging goes through spdlog to stderr. `--debug`/`-D` or `--log-level`
// raise or lower the level; nothing else configures it.

#include <spdlog/spdlog.h>

namespace xbuild::util {
// Parses docker's level names (debug, info, warn, error, fatal).
void set_log_level(std::string_view level);
void init_logging();
} // namespace xbuild::util
