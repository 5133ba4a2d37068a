#pragma once
// The state every command runs with: what docker told us, where config lives,
// which builder was asked for, and how to cancel. Passed explicitly; there
// are no globals.

#include <filesystem>
#include <optional>
#include <string>

#include "plugin/docker_endpoint.hpp"
#include "plugin/global_flags.hpp"
#include "util/cancel.hpp"

namespace xbuild::plugin {

struct Context {
  DockerGlobalFlags docker;            // docker's global flags, already split off
  bool as_plugin = false;              // run by the docker CLI (vs standalone)
  std::filesystem::path config_dir;    // docker config dir
  std::string builder;                 // --builder > XBUILD_BUILDER > BUILDX_BUILDER > ""
  bool debug = false;                  // -D from docker or --debug of ours
  util::CancelSource* cancel = nullptr; // never null while a command runs
  int exit_code = 0;                   // set by the command that ran

  // The Docker Engine endpoint, resolved on first use (most commands on the
  // local driver never need it).
  Result<DockerEndpoint> docker_endpoint();

  // "docker xbuild" or "docker-xbuild", as the user typed it, for messages.
  std::string command_name() const { return as_plugin ? "docker xbuild" : "docker-xbuild"; }

private:
  std::optional<DockerEndpoint> m_endpoint;
};

} // namespace xbuild::plugin
