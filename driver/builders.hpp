#pragma once
// Choosing the builder a command runs on, and what each driver accepts.
//
// Order (ARCHITECTURE.md "data flow" step 1; buildx store/storeutil):
//   --builder / XBUILD_BUILDER / BUILDX_BUILDER
//   > `current` when Global, or when chosen for this docker endpoint
//   > defaults/<hash(endpoint)> (`use --default`)
//   > the implicit "default" builder: one node on the embedded `local` engine.

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "driver/builder_store.hpp"

namespace xbuild::driver {

inline constexpr const char* k_default_builder = "default";

// The drivers a builder node can use, in the order `create --help` lists them.
const std::vector<std::string>& driver_names();
// Accepts buildx spellings: "docker-container" → "container".
Result<std::string> normalize_driver(const std::string& driver);
// Unknown options are errors with buildx's wording.
Result<void> validate_driver_opts(const std::string& driver,
                                  const std::map<std::string, std::string>& opts);

NodeGroup implicit_default_builder();

// `endpoint_key` is the docker context name, or the host URL for "default".
Result<NodeGroup> resolve_builder(const BuilderStore& store, const std::string& requested,
                                  const std::string& endpoint_key);

// Where the embedded engine keeps its state for this builder: `root=` driver
// option, else /var/lib/docker-xbuild/<builder> as root, else
// $XDG_DATA_HOME/docker-xbuild/<builder> (~/.local/share/…).
std::filesystem::path local_state_dir(const NodeGroup& group);

} // namespace xbuild::driver
