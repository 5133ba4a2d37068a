#include "plugin/builder_access.hpp"

#include "driver/builders.hpp"
#include "util/version.hpp"

namespace xbuild::plugin {

driver::BuilderStore open_builder_store(const Context& ctx) {
  return driver::BuilderStore(driver::BuilderStore::default_root(ctx.config_dir));
}

Result<std::string> endpoint_key(Context& ctx) {
  auto ep = TRY(ctx.docker_endpoint());
  return ep.context == "default" ? ep.host : ep.context;
}

Result<driver::NodeGroup> current_builder(Context& ctx) {
  auto store = open_builder_store(ctx);
  // The endpoint only matters when no builder was named; don't make a broken
  // docker context fail a command that names its builder.
  std::string key;
  if (ctx.builder.empty())
    key = TRY(endpoint_key(ctx));
  return driver::resolve_builder(store, ctx.builder, key);
}

NodeStatus node_status(const driver::NodeGroup& group, const driver::Node& node) {
  NodeStatus s;
  for (const auto& p : node.platforms)
    s.platforms.push_back(p.str() + "*");
  if (group.driver == "local") {
    // The embedded engine runs in-process: it is available whenever we are.
    s.status = "running";
    s.version = std::string("xbuild ") + version();
    if (s.platforms.empty())
      s.platforms.push_back(oci::host_platform().str());
    return s;
  }
  s.status = "inactive";
  s.error = "the " + group.driver + " driver is not available in docker-xbuild " + version();
  return s;
}

} // namespace xbuild::plugin
