#pragma once
// What the builder-management commands share: the store location, the
// docker endpoint key builders are chosen for, and a node's live status.

#include <string>
#include <vector>

#include "driver/builder_store.hpp"
#include "plugin/context.hpp"

namespace xbuild::plugin {

driver::BuilderStore open_builder_store(const Context& ctx);
// The docker context name, or the host URL for the "default" context (buildx's key).
Result<std::string> endpoint_key(Context& ctx);
// The builder this invocation uses (see driver/builders.hpp for the order).
Result<driver::NodeGroup> current_builder(Context& ctx);

struct NodeStatus {
  std::string status;                  // "running", "inactive"
  std::string version;                 // engine version when running
  std::vector<std::string> platforms;  // fixed ones marked with '*'
  std::string error;                   // why it is not usable, if so
};
NodeStatus node_status(const driver::NodeGroup& group, const driver::Node& node);

} // namespace xbuild::plugin
