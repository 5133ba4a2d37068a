#include "plugin/docker_endpoint.hpp"

#include <cstdlib>
#include <nlohmann/json.hpp>

#include "util/fs.hpp"
#include "util/sha256.hpp"
#include "util/strings.hpp"

namespace xbuild::plugin {
namespace {

const char* k_default_host = "unix:///var/run/docker.sock";

std::string env_or_empty(const char* name) {
  const char* v = std::getenv(name);
  return v ? v : "";
}

// The "default" context: -H / DOCKER_HOST / the local socket, TLS from the
// flags or DOCKER_CERT_PATH + DOCKER_TLS_VERIFY.
DockerEndpoint default_endpoint(const DockerGlobalFlags& flags, const EndpointEnv& env,
                                std::string source) {
  DockerEndpoint ep;
  ep.context = "default";
  ep.source = std::move(source);
  if (!flags.hosts.empty())
    ep.host = flags.hosts.front();
  else if (!env.docker_host.empty())
    ep.host = env.docker_host;
  else
    ep.host = k_default_host;
  const bool env_verify = !env.docker_tls_verify.empty();
  ep.tls = flags.tls || flags.tls_verify || env_verify;
  ep.skip_verify = ep.tls && !(flags.tls_verify || env_verify);
  std::filesystem::path cert_dir(env.docker_cert_path);
  auto pick = [&](const std::optional<std::string>& flag, const char* file) -> std::string {
    if (flag)
      return *flag;
    if (!cert_dir.empty() && ep.tls)
      return (cert_dir / file).string();
    return "";
  };
  ep.ca_file = pick(flags.tls_ca, "ca.pem");
  ep.cert_file = pick(flags.tls_cert, "cert.pem");
  ep.key_file = pick(flags.tls_key, "key.pem");
  if (ep.host.starts_with("unix://"))
    ep.tls = ep.skip_verify = false; // unix sockets never use TLS
  return ep;
}

// Docker's reader matches keys case-insensitively.
const nlohmann::json* find_ci(const nlohmann::json& obj, std::string_view key) {
  if (!obj.is_object())
    return nullptr;
  for (auto it = obj.begin(); it != obj.end(); ++it)
    if (util::to_lower(it.key()) == util::to_lower(key))
      return &it.value();
  return nullptr;
}

Result<DockerEndpoint> stored_endpoint(const std::string& name,
                                       const std::filesystem::path& config_dir,
                                       std::string source) {
  auto meta_path = context_meta_path(config_dir, name);
  std::error_code ec;
  if (!std::filesystem::exists(meta_path, ec))
    return fail("context \"" + name + "\" does not exist (looked for " + meta_path.string() +
                "); list contexts with `docker context ls`");
  auto text = TRY(util::read_file(meta_path));
  auto meta = nlohmann::json::parse(text, nullptr, false);
  if (meta.is_discarded())
    return fail(meta_path.string() + ": invalid JSON in the metadata of context \"" + name + "\"");
  const nlohmann::json* endpoints = find_ci(meta, "Endpoints");
  const nlohmann::json* docker = endpoints ? find_ci(*endpoints, "docker") : nullptr;
  const nlohmann::json* host = docker ? find_ci(*docker, "Host") : nullptr;
  if (!host || !host->is_string())
    return fail("context \"" + name + "\" has no docker endpoint (" + meta_path.string() + ")");
  DockerEndpoint ep;
  ep.context = name;
  ep.source = std::move(source);
  ep.host = host->get<std::string>();
  if (const auto* skip = find_ci(*docker, "SkipTLSVerify"); skip && skip->is_boolean())
    ep.skip_verify = skip->get<bool>();
  auto tls_dir = config_dir / "contexts" / "tls" / util::sha256_hex(name) / "docker";
  auto tls_file = [&](const char* file) {
    auto p = tls_dir / file;
    return std::filesystem::exists(p, ec) ? p.string() : std::string();
  };
  ep.ca_file = tls_file("ca.pem");
  ep.cert_file = tls_file("cert.pem");
  ep.key_file = tls_file("key.pem");
  ep.tls = !ep.host.starts_with("unix://") &&
           (!ep.ca_file.empty() || !ep.cert_file.empty() || ep.skip_verify);
  return ep;
}

} // namespace

EndpointEnv EndpointEnv::from_process() {
  return EndpointEnv{env_or_empty("DOCKER_HOST"), env_or_empty("DOCKER_CONTEXT"),
                     env_or_empty("DOCKER_CERT_PATH"), env_or_empty("DOCKER_TLS_VERIFY")};
}

std::filesystem::path context_meta_path(const std::filesystem::path& config_dir,
                                        const std::string& name) {
  return config_dir / "contexts" / "meta" / util::sha256_hex(name) / "meta.json";
}

Result<DockerEndpoint> resolve_docker_endpoint(const DockerGlobalFlags& flags,
                                               const std::filesystem::path& config_dir,
                                               const nlohmann::json& config,
                                               const EndpointEnv& env) {
  if (flags.context && !flags.hosts.empty())
    return fail("conflicting options: cannot specify both --host and --context");
  if (flags.hosts.size() > 1)
    return fail("specify only one -H");
  std::string name;
  std::string source;
  if (flags.context) {
    name = *flags.context;
    source = "--context flag";
  } else if (!flags.hosts.empty()) {
    return default_endpoint(flags, env, "-H/--host flag");
  } else if (!env.docker_host.empty()) {
    return default_endpoint(flags, env, "DOCKER_HOST environment variable");
  } else if (!env.docker_context.empty()) {
    name = env.docker_context;
    source = "DOCKER_CONTEXT environment variable";
  } else if (auto it = config.find("currentContext");
             it != config.end() && it->is_string() && !it->get<std::string>().empty()) {
    name = it->get<std::string>();
    source = "currentContext in " + (config_dir / "config.json").string();
  } else {
    return default_endpoint(flags, env, "default");
  }
  if (name == "default")
    return default_endpoint(flags, env, source);
  return stored_endpoint(name, config_dir, source);
}

} // namespace xbuild::plugin
