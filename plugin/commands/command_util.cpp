#include <cstdio>

#include "plugin/commands/commands.hpp"
#include "plugin/context.hpp"
#include "util/error.hpp"
#include "util/version.hpp"

namespace xbuild::plugin {

int not_implemented(const Context& ctx, const char* command) {
  std::fprintf(stderr, "ERROR: `%s %s` is not implemented yet in docker-xbuild %s\n",
               ctx.command_name().c_str(), command, version());
  return 1;
}

int print_error(const Error& error) {
  std::fprintf(stderr, "ERROR: %s\n", error.message.c_str());
  return error.exit_code;
}

} // namespace xbuild::plugin
