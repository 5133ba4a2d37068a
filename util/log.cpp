#include "util/log.hpp"

#include <spdlog/sinks/stdout_color_sinks.h>

namespace xbuild::util {

void init_logging() {
  static bool done = false;
  if (done)
    return;
  done = true;
  auto logger = spdlog::stderr_color_mt("xbuild");
  logger->set_pattern("%^%l%$: %v");
  spdlog::set_default_logger(logger);
  spdlog::set_level(spdlog::level::warn);
}

void set_log_level(std::string_view level) {
  init_logging();
  if (level == "debug")
    spdlog::set_level(spdlog::level::debug);
  else if (level == "info")
    spdlog::set_level(spdlog::level::info);
  else if (level == "warn" || level == "warning")
    spdlog::set_level(spdlog::level::warn);
  else if (level == "error")
    spdlog::set_level(spdlog::level::err);
  else if (level == "fatal")
    spdlog::set_level(spdlog::level::critical);
}

} // namespace xbuild::util
