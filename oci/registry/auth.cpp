#include "oci/registry/auth.hpp"

#include <algorithm>
#include <thread>

#include <nlohmann/json.hpp>

#include "util/log.hpp"
#include "util/strings.hpp"

namespace xbuild::oci::registry {
namespace {

constexpr auto k_expiry_margin = std::chrono::seconds(30);
constexpr const char* k_client_id = "docker-xbuild";

std::string basic_value(const Credentials& c) {
  return "Basic " + util::base64_encode(c.username + ":" + c.password);
}

std::string realm_host(const std::string& realm) {
  auto p = util::parse_url(realm);
  return p ? p->authority() : std::string();
}

} // namespace

Authenticator::Authenticator(util::HttpTransport& transport, CredentialStore& credentials,
                             RegistryHostsOptions hosts, RetryPolicy retry)
    : m_transport(transport), m_credentials(credentials), m_hosts(std::move(hosts)),
      m_retry(std::move(retry)) {}

Authenticator::HostState& Authenticator::state(const std::string& host) {
  std::lock_guard lock(m_mutex);
  auto& s = m_states[host];
  if (!s)
    s = std::make_unique<HostState>();
  return *s;
}

std::vector<std::string> Authenticator::on_challenge(const std::string& host,
                                                     const std::vector<AuthChallenge>& challenges) {
  auto& s = state(host);
  std::lock_guard lock(s.fetch_mutex);
  // Bearer is preferred when offered: it is what carries scopes.
  for (const auto& c : challenges) {
    if (c.scheme == "bearer" && !c.param("realm").empty()) {
      if (s.realm != c.param("realm") || s.service != c.param("service"))
        s.tokens.clear();
      s.scheme = "bearer";
      s.realm = c.param("realm");
      s.service = c.param("service");
      auto scope = c.param("scope");
      return scope.empty() ? std::vector<std::string>{} : merge_scopes({scope});
    }
  }
  for (const auto& c : challenges)
    if (c.scheme == "basic") {
      s.scheme = "basic";
      return {};
    }
  return {};
}

bool Authenticator::has_challenge(const std::string& host) { return !state(host).scheme.empty(); }

Result<Credentials> Authenticator::credentials(const std::string& host, HostState& s) {
  if (!s.creds)
    s.creds = TRY(m_credentials.get(host));
  return *s.creds;
}

std::vector<std::string> Authenticator::secrets(const std::string& host) {
  auto& s = state(host);
  std::lock_guard lock(s.fetch_mutex);
  std::vector<std::string> out;
  if (s.creds) {
    out = {s.creds->password, s.creds->identity_token, s.creds->registry_token};
    if (!s.creds->username.empty())
      out.push_back(util::base64_encode(s.creds->username + ":" + s.creds->password));
  }
  for (const auto& t : s.tokens)
    out.push_back(t.value);
  out.push_back(s.refresh_token);
  return out;
}

Result<std::string> Authenticator::authorization(const std::string& host,
                                                 const std::vector<std::string>& scopes,
                                                 bool refresh) {
  auto& s = state(host);
  std::lock_guard lock(s.fetch_mutex);
  if (s.scheme.empty())
    return std::string();
  auto creds = TRY(credentials(host, s));
  if (s.scheme == "basic") {
    if (creds.username.empty())
      return std::string(); // anonymous: the 401 that follows names the problem
    return basic_value(creds);
  }
  if (!creds.registry_token.empty())
    return "Bearer " + creds.registry_token;
  auto now = std::chrono::steady_clock::now();
  if (!refresh) {
    for (const auto& t : s.tokens)
      if (t.expires > now && scopes_cover(t.scopes, scopes))
        return "Bearer " + t.value;
  }
  // Ask for the union with what earlier tokens held, so one token serves the
  // whole push (push scope first: some servers only read the first scope).
  std::vector<std::string> wanted = scopes;
  for (const auto& t : s.tokens)
    wanted.insert(wanted.end(), t.scopes.begin(), t.scopes.end());
  wanted = merge_scopes(wanted);
  auto token = TRY(fetch_token(host, s, creds, wanted));
  s.tokens.clear();
  s.tokens.push_back(token);
  return "Bearer " + token.value;
}

Result<util::HttpResponse> Authenticator::token_request(util::HttpRequest request,
                                                        const std::string& host) {
  auto cfg = TRY(resolve_host(realm_host(request.url), m_hosts));
  request.tls = cfg.tls;
  for (int attempt = 1;; ++attempt) {
    ++m_token_requests;
    auto r = m_transport.perform(request);
    bool retry = r ? is_retryable_status(r->status) : r.error().retryable();
    if (!retry || attempt >= m_retry.max_attempts) {
      if (!r)
        return fail("cannot get a token for " + host + " from " + request.url + ": " +
                    r.error().message);
      return std::move(*r);
    }
    auto delay = m_retry.delay(attempt, r ? r->headers.get("Retry-After") : std::nullopt);
    if (m_retry.sleep ? !m_retry.sleep(delay) : (std::this_thread::sleep_for(delay), false))
      return fail("cancelled while getting a token for " + host);
  }
}

Result<Authenticator::Token> Authenticator::fetch_token(const std::string& host, HostState& s,
                                                        const Credentials& creds,
                                                        const std::vector<std::string>& scopes) {
  std::optional<util::HttpResponse> response;
  std::string refresh = creds.identity_token.empty() ? s.refresh_token : creds.identity_token;
  if (!refresh.empty()) {
    util::HttpRequest post;
    post.method = "POST";
    post.url = s.realm;
    post.headers.set("Content-Type", "application/x-www-form-urlencoded");
    post.body = "grant_type=refresh_token&client_id=" + std::string(k_client_id) +
                "&refresh_token=" + util::url_encode(refresh) +
                "&service=" + util::url_encode(s.service) +
                "&scope=" + util::url_encode(util::join(scopes, " "));
    response = TRY(token_request(std::move(post), host));
    if (response->status == 404 || response->status == 405)
      response.reset(); // the server has no OAuth2 endpoint: GET below
  }
  if (!response) {
    util::HttpRequest get;
    get.url = s.realm;
    if (!s.service.empty())
      get.url = util::append_query(get.url, "service", s.service);
    for (const auto& scope : scopes)
      get.url = util::append_query(get.url, "scope", scope);
    if (!creds.username.empty()) {
      get.url = util::append_query(get.url, "account", creds.username);
      get.headers.set("Authorization", basic_value(creds));
    }
    response = TRY(token_request(std::move(get), host));
  }
  if (response->status == 401 || response->status == 403)
    return fail("authentication to " + host + " failed: the token server " + s.realm +
                " refused the credentials (HTTP " + std::to_string(response->status) +
                "); check them with `docker login " + host + "`");
  if (response->status != 200)
    return fail("cannot get a token for " + host + " from " + s.realm + ": HTTP " +
                std::to_string(response->status));
  auto j = nlohmann::json::parse(response->body, nullptr, false);
  if (j.is_discarded() || !j.is_object())
    return fail("the token server " + s.realm + " for " + host + " answered with invalid JSON");
  Token t;
  t.scopes = scopes;
  t.value = j.value("token", std::string());
  if (t.value.empty())
    t.value = j.value("access_token", std::string());
  if (t.value.empty())
    return fail("the token server " + s.realm + " for " + host + " returned no token");
  long expires_in = 60;
  if (j.contains("expires_in") && j["expires_in"].is_number())
    expires_in = std::max(60L, j["expires_in"].get<long>());
  t.expires = std::chrono::steady_clock::now() + std::chrono::seconds(expires_in) - k_expiry_margin;
  if (j.contains("refresh_token") && j["refresh_token"].is_string())
    s.refresh_token = j["refresh_token"].get<std::string>();
  spdlog::debug("got a token for {} (scopes: {})", host, util::join(scopes, " "));
  return t;
}

} // namespace xbuild::oci::registry
