#pragma once
// Registry authentication: what a host asked for (its challenge), the
// credentials for it, and bearer tokens cached per (realm, service, scopes).
//
// Bearer flow (Distribution token spec): GET <realm>?service=…&scope=…
// (one scope parameter per scope) with Basic credentials when we have them,
// anonymous otherwise; with an identity (refresh) token, the OAuth2 POST form
// instead (falling back to GET when the server answers 404). A cached token
// is reused for any request whose scopes it covers until 30 s before expiry.
// A 401 with `error="insufficient_scope"` or a new scope merges the scopes
// and fetches a fresh token once.

#include <atomic>
#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "oci/registry/challenge.hpp"
#include "oci/registry/credentials.hpp"
#include "oci/registry/hosts.hpp"
#include "oci/registry/retry.hpp"
#include "util/error.hpp"
#include "util/http.hpp"

namespace xbuild::oci::registry {

class Authenticator {
public:
  Authenticator(util::HttpTransport& transport, CredentialStore& credentials,
                RegistryHostsOptions hosts, RetryPolicy retry);

  // Records the challenges a host answered with (from a ping or a 401).
  // Returns the scopes named by a bearer challenge (may be empty).
  std::vector<std::string> on_challenge(const std::string& host,
                                        const std::vector<AuthChallenge>& challenges);
  // True once a host has answered with a challenge we can satisfy.
  bool has_challenge(const std::string& host);

  // The Authorization header value for a request to `host` that needs
  // `scopes` ("" = send none). `refresh` skips the token cache.
  Result<std::string> authorization(const std::string& host, const std::vector<std::string>& scopes,
                                    bool refresh);

  // Secrets known for `host` (to redact from any text shown to the user).
  std::vector<std::string> secrets(const std::string& host);

  // The number of token requests made (tests and benchmarks count them).
  int token_requests() const { return m_token_requests; }

private:
  struct Token {
    std::vector<std::string> scopes;
    std::string value;
    std::chrono::steady_clock::time_point expires;
  };
  struct HostState {
    std::string scheme; // "basic", "bearer", "" = anonymous
    std::string realm, service;
    std::optional<Credentials> creds;
    std::vector<Token> tokens;
    std::string refresh_token; // from an OAuth2 POST answer
    std::mutex fetch_mutex;    // one token fetch per host at a time
  };

  HostState& state(const std::string& host);
  Result<Credentials> credentials(const std::string& host, HostState& s);
  Result<Token> fetch_token(const std::string& host, HostState& s, const Credentials& creds,
                            const std::vector<std::string>& scopes);
  Result<util::HttpResponse> token_request(util::HttpRequest request, const std::string& host);

  util::HttpTransport& m_transport;
  CredentialStore& m_credentials;
  RegistryHostsOptions m_hosts;
  RetryPolicy m_retry;
  std::mutex m_mutex;
  std::map<std::string, std::unique_ptr<HostState>> m_states;
  std::atomic<int> m_token_requests{0};
};

} // namespace xbuild::oci::registry
