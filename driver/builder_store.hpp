#pragma once
// Named builder instances, stored like buildx's ~/.docker/buildx so that the
// files read the same: $DOCKER_CONFIG/xbuild/
//   instances/<name>   one JSON NodeGroup per builder (0600, atomic writes)
//   current            {"Key": <docker endpoint key>, "Name": …, "Global": bool}
//   defaults/<hash>    builder name chosen with `use --default` for an endpoint
//   activity/<name>    RFC 3339 time of last use
//   .lock              flock held for every read-modify-write
// `XBUILD_CONFIG` overrides the root (as BUILDX_CONFIG does for buildx).

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "oci/platform.hpp"
#include "util/error.hpp"

namespace xbuild::driver {

struct Node {
  std::string name;                               // unique within the builder
  std::string endpoint;                           // docker context / URL; "" for local
  std::vector<oci::Platform> platforms;           // fixed by --platform; empty = detect
  std::map<std::string, std::string> driver_opts; // validated per driver
  std::vector<std::string> flags;                 // --buildkitd-flags, split on spaces
  std::map<std::string, std::string> files;       // name → file content (base64 in JSON)
};

// A builder instance ("NodeGroup" in buildx).
struct NodeGroup {
  std::string name;   // lower-case, matches k_builder_name_rule
  std::string driver; // "local", "docker", "container", "remote"
  bool dynamic = false;
  std::vector<Node> nodes; // never empty once saved
};

struct CurrentBuilder {
  std::string key;  // endpoint key it was chosen for
  std::string name; // builder name
  bool global = false;
};

// buildx's name rule: a letter, then letters, digits and ._-
Result<std::string> validate_builder_name(std::string_view name);

class BuilderStore {
public:
  explicit BuilderStore(std::filesystem::path root) : m_root(std::move(root)) {}
  // $XBUILD_CONFIG, else <docker config dir>/xbuild.
  static std::filesystem::path default_root(const std::filesystem::path& docker_config_dir);
  const std::filesystem::path& root() const { return m_root; }

  Result<std::vector<NodeGroup>> list() const;
  Result<std::optional<NodeGroup>> get(const std::string& name) const;
  Result<void> save(const NodeGroup& group);
  // Removes the instance and every pointer to it (current, defaults, activity).
  Result<void> remove(const std::string& name);

  Result<std::optional<CurrentBuilder>> current() const;
  // `use`: global → for every endpoint; is_default → also the endpoint's default.
  Result<void> set_current(const std::string& key, const std::string& name, bool global,
                           bool is_default);
  Result<std::optional<std::string>> default_for(const std::string& key) const;

  Result<void> touch_activity(const std::string& name);
  std::optional<std::string> last_activity(const std::string& name) const;

private:
  std::filesystem::path m_root;
};

// JSON in buildx's instance-file shape.
std::string node_group_to_json(const NodeGroup& group);
Result<NodeGroup> node_group_from_json(const std::string& text, const std::string& where);

} // namespace xbuild::driver
