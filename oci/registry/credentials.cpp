#include "oci/registry/credentials.hpp"

#include <cstdlib>

#include <nlohmann/json.hpp>

#include "util/fs.hpp"
#include "util/http.hpp"
#include "util/strings.hpp"

namespace xbuild::oci::registry {
namespace {

constexpr const char* k_hub_key = "https://index.docker.io/v1/";
constexpr const char* k_helper_not_found = "credentials not found in native keychain";

bool is_hub(const std::string& host) {
  return host == "docker.io" || host == "index.docker.io" || host == "registry-1.docker.io";
}

// One `auths` entry. `auth` = base64("user:password"); the password may
// contain ':' and docker trims trailing NULs from it.
Result<Credentials> parse_entry(const std::string& key, const nlohmann::json& v,
                                const std::string& where, bool require_auth) {
  if (!v.is_object())
    return fail(where + ": auths[\"" + key + "\"] must be an object");
  Credentials c;
  auto str = [&](const char* name) {
    auto it = v.find(name);
    return it != v.end() && it->is_string() ? it->get<std::string>() : std::string();
  };
  std::string auth = str("auth");
  if (require_auth && auth.empty())
    return fail(where + ": auths[\"" + key + "\"] has no \"auth\" field");
  if (!auth.empty()) {
    auto decoded = util::base64_decode(auth);
    auto colon = decoded ? decoded->find(':') : std::string::npos;
    if (!decoded || colon == std::string::npos || colon == 0)
      return fail(where + ": auths[\"" + key +
                  "\"].auth is not base64 of \"username:password\"; run `docker login` again");
    c.username = decoded->substr(0, colon);
    c.password = decoded->substr(colon + 1);
    while (!c.password.empty() && c.password.back() == '\0')
      c.password.pop_back();
  } else {
    c.username = str("username");
    c.password = str("password");
  }
  c.identity_token = str("identitytoken");
  c.registry_token = str("registrytoken");
  return c;
}

} // namespace

std::string auth_config_key(const std::string& host) { return is_hub(host) ? k_hub_key : host; }

std::string key_to_hostname(const std::string& key) {
  std::string s = key;
  if (auto p = s.find("://"); p != std::string::npos)
    s = s.substr(p + 3);
  return s.substr(0, s.find('/'));
}

std::string redact(std::string text, const std::vector<std::string>& secrets) {
  for (const auto& secret : secrets) {
    if (secret.empty())
      continue;
    for (size_t pos = text.find(secret); pos != std::string::npos; pos = text.find(secret, pos + 3))
      text.replace(pos, secret.size(), "***");
  }
  return text;
}

Result<Credentials> StaticCredentialStore::get(const std::string& host) {
  auto it = m_creds.find(host);
  return it == m_creds.end() ? Credentials{} : it->second;
}

Result<std::unique_ptr<DockerCredentialStore>>
DockerCredentialStore::create(const std::string& config_json,
                              const std::optional<std::string>& env_auth_config,
                              CredentialHelperRunner& runner) {
  std::unique_ptr<DockerCredentialStore> store(new DockerCredentialStore(runner));
  if (env_auth_config) {
    auto env = nlohmann::json::parse(*env_auth_config, nullptr, false);
    if (env.is_discarded() || !env.is_object())
      return fail("DOCKER_AUTH_CONFIG is not a JSON object; expected {\"auths\":{…}}");
    for (auto& [k, v] : env.items()) {
      if (k != "auths")
        return fail("DOCKER_AUTH_CONFIG: unknown field \"" + k + "\"; only \"auths\" is allowed");
    }
    if (env.contains("auths") && env["auths"].is_object())
      for (auto& [key, v] : env["auths"].items()) {
        auto entry = TRY(parse_entry(key, v, "DOCKER_AUTH_CONFIG", true));
        store->m_env_auths.push_back({key, std::move(entry)});
      }
  }
  if (config_json.empty())
    return store;
  auto cfg = nlohmann::json::parse(config_json, nullptr, false);
  if (cfg.is_discarded() || !cfg.is_object())
    return fail("config.json is not a valid JSON object; fix or remove it");
  if (cfg.contains("auths") && cfg["auths"].is_object())
    for (auto& [key, v] : cfg["auths"].items()) {
      auto entry = TRY(parse_entry(key, v, "config.json", false));
      store->m_auths.push_back({key, std::move(entry)});
    }
  if (cfg.contains("credsStore") && cfg["credsStore"].is_string())
    store->m_creds_store = cfg["credsStore"].get<std::string>();
  if (cfg.contains("credHelpers") && cfg["credHelpers"].is_object())
    for (auto& [host, v] : cfg["credHelpers"].items())
      if (v.is_string())
        store->m_cred_helpers[host] = v.get<std::string>();
  return store;
}

Result<std::unique_ptr<DockerCredentialStore>>
DockerCredentialStore::load(const std::filesystem::path& config_dir,
                            CredentialHelperRunner& runner) {
  std::string text;
  std::error_code ec;
  auto path = config_dir / "config.json";
  if (std::filesystem::exists(path, ec)) {
    auto read = util::read_file(path);
    if (!read)
      return fail(path.string() + ": " + read.error().message);
    text = *read;
  }
  std::optional<std::string> env;
  if (const char* e = std::getenv("DOCKER_AUTH_CONFIG"); e && *e)
    env = e;
  auto store = create(text, env, runner);
  if (!store && store.error().message.starts_with("config.json"))
    return fail(path.string() + store.error().message.substr(11));
  return store;
}

const DockerCredentialStore::Entry* DockerCredentialStore::find(const std::vector<Entry>& entries,
                                                                const std::string& host) const {
  std::string key = auth_config_key(host);
  for (const auto& e : entries)
    if (e.key == key)
      return &e;
  for (const auto& e : entries) {
    std::string h = key_to_hostname(e.key);
    if (h == host || (is_hub(host) && is_hub(h)))
      return &e;
  }
  return nullptr;
}

Result<Credentials> DockerCredentialStore::from_helper(const std::string& helper,
                                                       const std::string& host) {
  std::string server = auth_config_key(host);
  auto out = TRY(m_runner.run(helper, "get", server));
  std::string message(util::trim(out.out));
  if (out.exit_code != 0) {
    if (message == k_helper_not_found)
      return Credentials{};
    return fail("credential helper docker-credential-" + helper + " failed for " + host + ": " +
                (message.empty() ? "exit code " + std::to_string(out.exit_code) : message));
  }
  auto j = nlohmann::json::parse(out.out, nullptr, false);
  if (j.is_discarded() || !j.is_object())
    return fail("credential helper docker-credential-" + helper + " gave invalid JSON for " + host);
  Credentials c;
  std::string user = j.value("Username", std::string());
  std::string secret = j.value("Secret", std::string());
  if (user == "<token>")
    c.identity_token = secret;
  else {
    c.username = user;
    c.password = secret;
  }
  return c;
}

Result<Credentials> DockerCredentialStore::get(const std::string& host) {
  if (const auto* e = find(m_env_auths, host))
    return e->creds;
  std::string key = auth_config_key(host);
  std::string helper = m_creds_store;
  if (auto it = m_cred_helpers.find(key); it != m_cred_helpers.end())
    helper = it->second;
  else if (auto it2 = m_cred_helpers.find(host); it2 != m_cred_helpers.end())
    helper = it2->second;
  if (!helper.empty())
    return from_helper(helper, host);
  if (const auto* e = find(m_auths, host))
    return e->creds;
  return Credentials{};
}

} // namespace xbuild::oci::registry
