#pragma once
// Which Docker Engine the current invocation talks to, resolved exactly as the
// docker CLI does (docker/cli cli/command/cli.go resolveContextName):
//   --context > -H > DOCKER_HOST > DOCKER_CONTEXT > config.json currentContext
//   > "default" (unix:///var/run/docker.sock).

#include <filesystem>
#include <string>

#include <nlohmann/json_fwd.hpp>

#include "plugin/global_flags.hpp"
#include "util/error.hpp"

namespace xbuild::plugin {

struct DockerEndpoint {
  std::string context;     // context name ("default" for flag/env hosts)
  std::string host;        // unix:///path, tcp://host:port, ssh://…
  std::string source;      // which rule chose it, for --debug output
  bool tls = false;        // speak TLS to a tcp host
  bool skip_verify = false;
  std::string ca_file;     // empty: system roots
  std::string cert_file;   // client certificate (with key_file)
  std::string key_file;
};

// Only the environment variables the resolution reads; injected for tests.
struct EndpointEnv {
  std::string docker_host;
  std::string docker_context;
  std::string docker_cert_path;
  std::string docker_tls_verify;
  static EndpointEnv from_process();
};

Result<DockerEndpoint> resolve_docker_endpoint(const DockerGlobalFlags& flags,
                                               const std::filesystem::path& config_dir,
                                               const nlohmann::json& config,
                                               const EndpointEnv& env);

// Where a named context's metadata lives: contexts/meta/<sha256(name)>/meta.json.
std::filesystem::path context_meta_path(const std::filesystem::path& config_dir,
                                        const std::string& name);

} // namespace xbuild::plugin
