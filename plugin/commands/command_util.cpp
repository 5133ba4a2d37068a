#include <cstdio>

#include "plugin/commands/commands.hpp"
#include "plugin/context.hpp"
#include "util/version.hpp"

namespace xbuild::plugin {

int not_implemented(const Context& ctx, const char* command) {
  std::fprintf(stderr, "ERROR: `%s %s` is not implemented yet in docker-xbuild %s\n",
               ctx.command_name().c_str(), command, version());
  return 1;
}

} // namespace xbuild::plugin
