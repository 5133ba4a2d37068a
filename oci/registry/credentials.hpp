#pragma once
// Registry credentials from Docker's client configuration, resolved exactly
// like the docker CLI: `DOCKER_AUTH_CONFIG` first, then the credential helper
// chosen by `credHelpers[host]` or `credsStore` (its answer alone counts, even
// "not found"), else the `auths` entry of config.json.
//
// Secrets never leave these structs as text: no log line, error or progress
// message contains a password or token (see `redact`).

#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "util/error.hpp"

namespace xbuild::oci::registry {

struct Credentials {
  std::string username;
  std::string password;
  std::string identity_token; // OAuth2 refresh token: use the POST token flow
  std::string registry_token; // a bearer token to send as is
  bool empty() const {
    return username.empty() && password.empty() && identity_token.empty() && registry_token.empty();
  }
};

// Runs `docker-credential-<helper> <action>` with `input` on stdin.
struct HelperOutput {
  int exit_code = 0;
  std::string out; // stdout: JSON on success, the error message on failure
};
class CredentialHelperRunner {
public:
  virtual ~CredentialHelperRunner() = default;
  virtual Result<HelperOutput> run(const std::string& helper, const std::string& action,
                                   const std::string& input) = 0;
};
// The real runner: finds `docker-credential-<helper>` on PATH.
std::unique_ptr<CredentialHelperRunner> make_process_helper_runner();

class CredentialStore {
public:
  virtual ~CredentialStore() = default;
  // Credentials for `host` (registry host[:port], "docker.io" for Hub).
  // Empty credentials = anonymous. Errors are helper failures.
  virtual Result<Credentials> get(const std::string& host) = 0;
};

// An in-memory store (tests, and `--creds`-style overrides).
class StaticCredentialStore final : public CredentialStore {
public:
  void set(const std::string& host, Credentials c) { m_creds[host] = std::move(c); }
  Result<Credentials> get(const std::string& host) override;

private:
  std::map<std::string, Credentials> m_creds;
};

// The docker config: parsed config.json text plus DOCKER_AUTH_CONFIG.
class DockerCredentialStore final : public CredentialStore {
public:
  // `config_json` is the text of config.json ("" = no file);
  // `env_auth_config` the value of DOCKER_AUTH_CONFIG if set.
  static Result<std::unique_ptr<DockerCredentialStore>>
  create(const std::string& config_json, const std::optional<std::string>& env_auth_config,
         CredentialHelperRunner& runner);
  // Reads <config_dir>/config.json and the DOCKER_AUTH_CONFIG environment variable.
  static Result<std::unique_ptr<DockerCredentialStore>>
  load(const std::filesystem::path& config_dir, CredentialHelperRunner& runner);

  Result<Credentials> get(const std::string& host) override;

private:
  struct Entry {
    std::string key; // as written in the file
    Credentials creds;
  };
  explicit DockerCredentialStore(CredentialHelperRunner& runner) : m_runner(runner) {}
  const Entry* find(const std::vector<Entry>& entries, const std::string& host) const;
  Result<Credentials> from_helper(const std::string& helper, const std::string& host);

  CredentialHelperRunner& m_runner;
  std::vector<Entry> m_env_auths;
  std::vector<Entry> m_auths;
  std::string m_creds_store;
  std::map<std::string, std::string> m_cred_helpers;
};

// The key docker uses for `host` in config.json and helper calls:
// "https://index.docker.io/v1/" for Docker Hub, the host itself otherwise.
std::string auth_config_key(const std::string& host);
// Strips a scheme and path from a config key ("https://r.io/v2/" → "r.io").
std::string key_to_hostname(const std::string& key);

// Replaces every occurrence of each non-empty secret in `text` by "***".
std::string redact(std::string text, const std::vector<std::string>& secrets);

} // namespace xbuild::oci::registry
