#include "plugin/context.hpp"

#include <nlohmann/json.hpp>

#include "plugin/docker_config.hpp"
#include "util/log.hpp"

namespace xbuild::plugin {

Result<DockerEndpoint> Context::docker_endpoint() {
  if (m_endpoint)
    return *m_endpoint;
  auto config = TRY(load_docker_config(config_dir));
  auto ep = TRY(resolve_docker_endpoint(docker, config_dir, config, EndpointEnv::from_process()));
  spdlog::debug("docker endpoint: context={} host={} tls={} (from {})", ep.context, ep.host,
                ep.tls, ep.source);
  m_endpoint = ep;
  return ep;
}

} // namespace xbuild::plugin
