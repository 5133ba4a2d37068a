#include "oci/registry/client.hpp"

#include <thread>

#include <nlohmann/json.hpp>

#include "util/cancel.hpp"
#include "util/log.hpp"
#include "util/strings.hpp"

namespace xbuild::oci::registry {
namespace {

using Clock = std::chrono::steady_clock;

std::string status_text(long status) {
  switch (status) {
  case 400:
    return "Bad Request";
  case 401:
    return "Unauthorized";
  case 403:
    return "Forbidden";
  case 404:
    return "Not Found";
  case 405:
    return "Method Not Allowed";
  case 408:
    return "Request Timeout";
  case 413:
    return "Payload Too Large";
  case 416:
    return "Range Not Satisfiable";
  case 429:
    return "Too Many Requests";
  case 500:
    return "Internal Server Error";
  case 502:
    return "Bad Gateway";
  case 503:
    return "Service Unavailable";
  case 504:
    return "Gateway Timeout";
  default:
    return "";
  }
}

// "CODE: message; CODE: message" from a Distribution error body, else a
// trimmed prefix of a plain-text body.
std::string error_details(const std::string& body) {
  auto j = nlohmann::json::parse(body, nullptr, false);
  if (!j.is_discarded() && j.is_object() && j.contains("errors") && j["errors"].is_array()) {
    std::vector<std::string> parts;
    for (const auto& e : j["errors"]) {
      if (!e.is_object())
        continue;
      std::string code = e.value("code", std::string());
      std::string msg = e.value("message", std::string());
      parts.push_back(code.empty() ? msg : msg.empty() ? code : code + ": " + msg);
    }
    return util::join(parts, "; ");
  }
  auto text = std::string(util::trim(body));
  if (text.size() > 200)
    text = text.substr(0, 200) + "…";
  if (!text.empty() && text.front() == '<') // an HTML error page says nothing useful
    return "";
  return text;
}

bool is_absolute(const std::string& target) { return target.find("://") != std::string::npos; }

} // namespace

RegistryClient::RegistryClient(util::HttpTransport& transport, CredentialStore& credentials,
                               RegistryOptions options)
    : m_transport(transport), m_options(std::move(options)),
      m_auth(transport, credentials, m_options.hosts, m_options.retry) {}

bool RegistryClient::backoff(int attempt, const std::optional<std::string>& retry_after) {
  auto delay = m_options.retry.delay(attempt, retry_after);
  spdlog::debug("retrying in {} ms", delay.count());
  if (m_options.retry.sleep)
    return m_options.retry.sleep(delay);
  if (m_options.cancel)
    return !m_options.cancel->wait_for(delay);
  std::this_thread::sleep_for(delay);
  return true;
}

// Distribution spec 1.1: `Warning: 299 - "text"` headers are shown to the
// user, each distinct text once, and never acted on.
void RegistryClient::show_warnings(const std::string& host, const util::HttpResponse& response) {
  for (const auto& w : response.headers.get_all("Warning")) {
    if (!util::starts_with(w, "299"))
      continue;
    auto open = w.find('"'), close = w.rfind('"');
    std::string text =
        open != std::string::npos && close > open ? w.substr(open + 1, close - open - 1) : w;
    std::lock_guard lock(m_mutex);
    if (m_warned.insert(text).second)
      spdlog::warn("registry {}: {}", host, text);
  }
}

std::string RegistryClient::redact(const std::string& host, std::string text) {
  return registry::redact(std::move(text), m_auth.secrets(host));
}

Error RegistryClient::status_error(const Repo& repo, const std::string& what,
                                   const util::HttpResponse& response) {
  std::string msg = what + " in " + repo.str() + " failed: HTTP " + std::to_string(response.status);
  if (auto t = status_text(response.status); !t.empty())
    msg += " " + t;
  if (auto d = error_details(response.body); !d.empty())
    msg += " (" + d + ")";
  if (response.status == 401)
    msg += "; check the credentials for " + repo.host + " (`docker login " + repo.host +
           "`, config.json or credential helper)";
  else if (response.status == 403)
    msg += "; the credentials for " + repo.host + " lack permission on " + repo.name;
  return Error{redact(repo.host, msg), 1};
}

Result<RegistryClient::Endpoint> RegistryClient::endpoint(const std::string& host) {
  {
    std::lock_guard lock(m_mutex);
    if (auto it = m_endpoints.find(host); it != m_endpoints.end())
      return it->second;
  }
  auto ep = TRY(ping(host));
  std::lock_guard lock(m_mutex);
  m_endpoints[host] = ep;
  return ep;
}

// GET /v2/ decides the scheme and learns the auth challenge. Local and
// insecure hosts without certs.d material try plain HTTP first (what they
// almost always serve), others HTTPS first; the other scheme is the fallback
// only where allowed.
Result<RegistryClient::Endpoint> RegistryClient::ping(const std::string& host) {
  auto cfg = TRY(resolve_host(host, m_options.hosts));
  std::vector<std::string> schemes = {"https"};
  if (cfg.allow_http)
    schemes = cfg.certs_found ? std::vector<std::string>{"https", "http"}
                              : std::vector<std::string>{"http", "https"};
  std::string first_error;
  for (const auto& scheme : schemes) {
    Endpoint ep{scheme + "://" + host, cfg.tls};
    util::HttpRequest req;
    req.url = ep.base + "/v2/";
    req.tls = ep.tls;
    req.connect_timeout = m_options.connect_timeout;
    req.stall_timeout = m_options.stall_timeout;
    req.cancel = m_options.cancel;
    auto start = Clock::now();
    util::HttpResult r;
    int attempt = 1;
    for (;; ++attempt) {
      r = m_transport.perform(req);
      bool retry = r ? is_retryable_status(r->status) : r.error().retryable();
      // An HTTP answer to the wrong scheme is not worth retrying.
      if (!retry || attempt >= m_options.retry.max_attempts ||
          Clock::now() - start > m_options.retry.max_total)
        break;
      if (!r && r.error().kind == util::TransportErrorKind::connect && schemes.size() > 1 &&
          &scheme == &schemes.front())
        break; // the other scheme gets its turn; it retries on its own
      if (!backoff(attempt, r ? r->headers.get("Retry-After") : std::nullopt))
        return fail("cancelled while contacting registry " + host);
    }
    if (r && (r->status == 200 || r->status == 401 || r->status == 403)) {
      if (r->status == 401)
        m_auth.on_challenge(host, parse_www_authenticate(r->headers.get_all("WWW-Authenticate")));
      spdlog::debug("registry {} speaks {}", host, scheme);
      return ep;
    }
    std::string err = r ? "GET " + req.url + " answered HTTP " + std::to_string(r->status)
                        : req.url + ": " + r.error().message;
    if (attempt > 1)
      err += " (after " + std::to_string(attempt) + " attempts)";
    // A refused certificate says more than the other scheme's answer ("HTTP
    // 400" from an HTTPS server asked in plain HTTP); a handshake with a
    // plain-HTTP server ("wrong version number") says less.
    bool cert_error = !r && r.error().kind == util::TransportErrorKind::tls &&
                      r.error().message.find("certificate") != std::string::npos;
    if (first_error.empty() || cert_error)
      first_error = err;
    if (!r && r.error().kind == util::TransportErrorKind::cancelled)
      break;
  }
  std::string hint;
  if (first_error.find("certificate") != std::string::npos)
    hint = "; add the registry's CA as /etc/docker/certs.d/" + host +
           "/ca.crt, or list it in XBUILD_INSECURE_REGISTRIES";
  return fail("cannot reach registry " + host + ": " + first_error + hint);
}

Result<util::HttpResult> RegistryClient::send_once(const Repo& repo, const Endpoint& ep,
                                                   ApiRequest& request, bool refresh_auth) {
  util::HttpRequest http;
  http.method = request.method;
  http.url = is_absolute(request.target) ? request.target : ep.base + request.target;
  http.headers = request.headers;
  http.body = request.body;
  http.tls = ep.tls;
  http.follow_redirects = request.follow_redirects;
  http.connect_timeout = m_options.connect_timeout;
  http.stall_timeout = m_options.stall_timeout;
  http.cancel = m_options.cancel;
  if (request.open_body) {
    http.body_source = TRY(request.open_body());
    http.body_size = request.body_size;
  }
  if (request.open_sink)
    http.sink = TRY(request.open_sink());
  // Credentials go only to the registry's own origin, never to another host
  // a Location header points at.
  if (util::same_origin(http.url, ep.base + "/")) {
    auto authz = TRY(m_auth.authorization(repo.host, request.scopes, refresh_auth));
    if (!authz.empty())
      http.headers.set("Authorization", authz);
  }
  spdlog::debug("{} {}", http.method, http.url);
  return m_transport.perform(http);
}

Result<util::HttpResponse> RegistryClient::send(const Repo& repo, ApiRequest request) {
  auto ep = TRY(endpoint(repo.host));
  auto start = Clock::now();
  bool reauthenticated = false;
  int attempt = 0;
  while (true) {
    ++attempt;
    auto r = TRY(send_once(repo, ep, request, reauthenticated && attempt == 1));
    std::optional<std::string> retry_after;
    std::string failure;
    if (r) {
      show_warnings(repo.host, *r);
      if (r->status == 401 && !reauthenticated) {
        // New or wider scopes, or an expired token: learn, refresh, resend.
        auto scopes = m_auth.on_challenge(
            repo.host, parse_www_authenticate(r->headers.get_all("WWW-Authenticate")));
        scopes.insert(scopes.end(), request.scopes.begin(), request.scopes.end());
        request.scopes = merge_scopes(scopes);
        reauthenticated = true;
        attempt = 0;
        continue;
      }
      if (!request.retry || !is_retryable_status(r->status))
        return std::move(*r);
      retry_after = r->headers.get("Retry-After");
      failure = "HTTP " + std::to_string(r->status) + " " + status_text(r->status);
    } else {
      if (!request.retry || !r.error().retryable())
        return fail(
            redact(repo.host, request.what + " in " + repo.str() + " failed: " + r.error().message),
            r.error().retryable() ? k_exit_transient : 1);
      failure = r.error().message;
    }
    auto next = m_options.retry.delay(attempt, retry_after);
    if (attempt >= m_options.retry.max_attempts ||
        Clock::now() - start + next > m_options.retry.max_total) {
      return fail(redact(repo.host, request.what + " in " + repo.str() + " failed after " +
                                        std::to_string(attempt) + " attempts: " + failure));
    }
    spdlog::debug("{} in {}: {}; retrying", request.what, repo.str(), failure);
    if (!backoff(attempt, retry_after))
      return fail(request.what + " in " + repo.str() + ": cancelled");
  }
}

Result<ManifestBytes> RegistryClient::get_manifest(const Repo& repo,
                                                   const std::string& tag_or_digest) {
  ApiRequest req;
  req.target = "/v2/" + repo.name + "/manifests/" + tag_or_digest;
  req.headers.set("Accept", manifest_accept_header());
  req.scopes = {pull_scope(repo.name)};
  req.what = "get manifest " + tag_or_digest;
  auto r = TRY(send(repo, std::move(req)));
  if (r.status == 404)
    return fail(repo.str() + ":" + tag_or_digest + ": not found (HTTP 404 from " + repo.host +
                "); check the image name and tag");
  if (r.status != 200)
    return tl::unexpected(status_error(repo, "get manifest " + tag_or_digest, r));
  std::string where = repo.str() + "@" + tag_or_digest;
  auto content_type = r.headers.get("Content-Type").value_or("");
  auto media = TRY(detect_manifest_media_type(r.body, content_type, where));
  auto m = ManifestBytes::from(media, std::move(r.body));
  Digest expected;
  if (util::starts_with(tag_or_digest, "sha256:"))
    expected = TRY(Digest::parse(tag_or_digest, where));
  else if (auto h = r.headers.get("Docker-Content-Digest"); h && util::starts_with(*h, "sha256:"))
    expected = TRY(Digest::parse(*h, where + " Docker-Content-Digest"));
  if (!expected.empty() && expected != m.digest)
    return fail(where + ": the registry served content with digest " + m.digest.str() +
                ", expected " + expected.str() + "; refusing it");
  return m;
}

Result<std::optional<Descriptor>> RegistryClient::head_manifest(const Repo& repo,
                                                                const std::string& tag_or_digest) {
  ApiRequest req;
  req.method = "HEAD";
  req.target = "/v2/" + repo.name + "/manifests/" + tag_or_digest;
  req.headers.set("Accept", manifest_accept_header());
  req.scopes = {pull_scope(repo.name)};
  req.what = "check manifest " + tag_or_digest;
  auto r = TRY(send(repo, std::move(req)));
  if (r.status == 404)
    return std::optional<Descriptor>();
  if (r.status != 200)
    return tl::unexpected(status_error(repo, "check manifest " + tag_or_digest, r));
  auto digest = r.headers.get("Docker-Content-Digest");
  if (!digest) { // old registries: fall back to GET
    auto m = TRY(get_manifest(repo, tag_or_digest));
    return std::optional<Descriptor>(m.descriptor());
  }
  Descriptor d;
  d.digest = TRY(Digest::parse(*digest, repo.str() + " Docker-Content-Digest"));
  auto ct = r.headers.get("Content-Type").value_or("");
  d.media_type = std::string(util::trim(ct.substr(0, ct.find(';'))));
  d.size = std::stoll(r.headers.get("Content-Length").value_or("0"));
  return std::optional<Descriptor>(d);
}

Result<void> RegistryClient::put_manifest(const Repo& repo, const std::string& tag_or_digest,
                                          const ManifestBytes& manifest) {
  ApiRequest req;
  req.method = "PUT";
  req.target = "/v2/" + repo.name + "/manifests/" + tag_or_digest;
  req.headers.set("Content-Type", manifest.media_type);
  req.body = manifest.bytes;
  req.scopes = {push_scope(repo.name)};
  req.what = "push manifest " + tag_or_digest;
  auto r = TRY(send(repo, std::move(req)));
  if (r.status != 201 && r.status != 200)
    return tl::unexpected(status_error(repo, "push manifest " + tag_or_digest, r));
  if (auto h = r.headers.get("Docker-Content-Digest"); h && *h != manifest.digest.str())
    return fail(repo.str() + ": the registry stored manifest " + tag_or_digest + " under digest " +
                *h + " but we sent " + manifest.digest.str());
  return {};
}

Result<bool> RegistryClient::blob_exists(const Repo& repo, const Digest& digest) {
  ApiRequest req;
  req.method = "HEAD";
  req.target = "/v2/" + repo.name + "/blobs/" + digest.str();
  req.scopes = {pull_scope(repo.name)};
  req.what = "check blob " + digest.str();
  auto r = TRY(send(repo, std::move(req)));
  if (r.status == 200)
    return true;
  if (r.status == 404)
    return false;
  return tl::unexpected(status_error(repo, "check blob " + digest.str(), r));
}

Result<void> RegistryClient::fetch_blob(const Repo& repo, const Descriptor& blob,
                                        std::function<Result<util::BodySink>()> open_sink) {
  auto verifier = std::make_shared<std::unique_ptr<DigestVerifier>>();
  std::string what = repo.str() + "@" + blob.digest.str();
  ApiRequest req;
  req.target = "/v2/" + repo.name + "/blobs/" + blob.digest.str();
  req.scopes = {pull_scope(repo.name)};
  req.follow_redirects = true; // blob GETs may redirect to storage (S3, CDN)
  req.what = "get blob " + blob.digest.str();
  req.open_sink = [&, verifier]() -> Result<util::BodySink> {
    *verifier = std::make_unique<DigestVerifier>(blob.digest, blob.size, what);
    auto sink = TRY(open_sink());
    return util::BodySink([verifier, sink](const char* data, size_t n) -> Result<void> {
      TRY_VOID((*verifier)->update(data, n));
      return sink(data, n);
    });
  };
  auto r = TRY(send(repo, std::move(req)));
  if (r.status != 200)
    return tl::unexpected(status_error(repo, "get blob " + blob.digest.str(), r));
  if (!*verifier)
    return fail(what + ": the registry sent no body");
  return (*verifier)->finish();
}

Result<std::string> RegistryClient::fetch_blob_bytes(const Repo& repo, const Descriptor& blob) {
  auto out = std::make_shared<std::string>();
  TRY_VOID(fetch_blob(repo, blob, [out]() -> Result<util::BodySink> {
    out->clear();
    return util::BodySink([out](const char* d, size_t n) -> Result<void> {
      out->append(d, n);
      return {};
    });
  }));
  return std::move(*out);
}

} // namespace xbuild::oci::registry
