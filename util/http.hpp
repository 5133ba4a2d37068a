#pragma once
// HTTP client seam. Everything above util/ talks to the network through
// `HttpTransport`, so unit tests pass a fake and e2e tests the real libcurl
// transport (`make_curl_transport`). Bodies stream both ways: a request body
// is pulled from a `BodySource`, a successful response body is pushed into a
// `BodySink`; nothing here ever buffers a whole blob.

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <tl/expected.hpp>

#include "util/error.hpp"

namespace xbuild::util {

class CancelSource;

// Ordered, case-insensitive multimap of header fields.
class HttpHeaders {
public:
  void add(std::string name, std::string value);
  // Replaces every field named `name` by one field.
  void set(std::string name, std::string value);
  void remove(std::string_view name);
  // The first value of `name`, if any.
  std::optional<std::string> get(std::string_view name) const;
  std::vector<std::string> get_all(std::string_view name) const;
  bool has(std::string_view name) const { return get(name).has_value(); }
  const std::vector<std::pair<std::string, std::string>>& fields() const { return m_fields; }
  void clear() { m_fields.clear(); }

private:
  std::vector<std::pair<std::string, std::string>> m_fields;
};

// Pulls request body bytes: fills up to `size` bytes, returns how many; 0 = end.
using BodySource = std::function<Result<size_t>(char* buffer, size_t size)>;
// Receives response body bytes of a successful (2xx) response.
using BodySink = std::function<Result<void>(const char* data, size_t size)>;

// TLS settings for one request. Verification is on unless `verify` is false.
struct TlsOptions {
  bool verify = true;
  std::string extra_ca_pem;     // PEM CA certificates added to the system roots
  std::string client_cert_file; // PEM client certificate (with client_key_file)
  std::string client_key_file;
};

struct HttpRequest {
  std::string method = "GET";
  std::string url;
  HttpHeaders headers;
  // Body: either `body` (small, in memory) or `body_source` with
  // `body_size` (-1 = unknown, sent with chunked transfer encoding).
  std::string body;
  BodySource body_source;
  int64_t body_size = -1;
  // When set, a 2xx response body goes here instead of HttpResponse::body.
  BodySink sink;
  bool follow_redirects = false; // Authorization is never sent to another host
  TlsOptions tls;
  std::chrono::milliseconds connect_timeout{15000};
  // A transfer slower than 1 byte/s for this long is aborted as stalled.
  std::chrono::seconds stall_timeout{60};
  const CancelSource* cancel = nullptr;
  // Connect through this unix socket instead of TCP (the Docker Engine API);
  // the URL's host is then only sent as the Host header.
  std::string unix_socket;
};

struct HttpResponse {
  long status = 0;
  HttpHeaders headers;
  // The body when no sink took it (error bodies always land here, capped at
  // k_max_buffered_body bytes).
  std::string body;
  std::string effective_url; // after redirects
};

inline constexpr size_t k_max_buffered_body = 8 * 1024 * 1024;

// Why a request produced no HTTP response.
enum class TransportErrorKind {
  connect,   // DNS, refused, unreachable: the server was not reached
  timeout,   // connect timeout or stalled transfer
  reset,     // connection closed/reset mid-exchange, bad framing
  tls,       // certificate or handshake failure (not retried)
  cancelled, // CancelSource requested
  source,    // the request body source failed (message from the source)
  sink,      // the response sink failed (message from the sink)
  other,
};

struct TransportError {
  TransportErrorKind kind = TransportErrorKind::other;
  std::string message;
  // Connection-level failures are worth another attempt; TLS, cancel and
  // local source/sink failures are not.
  bool retryable() const {
    return kind == TransportErrorKind::connect || kind == TransportErrorKind::timeout ||
           kind == TransportErrorKind::reset;
  }
};

using HttpResult = tl::expected<HttpResponse, TransportError>;

class HttpTransport {
public:
  virtual ~HttpTransport() = default;
  // Performs one exchange (no retries, no auth). Thread-safe.
  virtual HttpResult perform(const HttpRequest& request) = 0;
};

// libcurl transport. Reuses connections (HTTP/1.1 keep-alive) through a pool
// of easy handles; safe to call from many threads at once.
std::unique_ptr<HttpTransport> make_curl_transport();

// URL helpers (no domain knowledge).
struct UrlParts {
  std::string scheme; // "http" / "https"
  std::string host;   // without port
  std::string port;   // "" when absent
  std::string path_and_query;
  // host[:port] with the default port omitted.
  std::string authority() const;
};
Result<UrlParts> parse_url(std::string_view url);
// Resolves `reference` (absolute URL, absolute path or relative path) against
// `base`, keeping the reference's query.
Result<std::string> resolve_url(std::string_view base, std::string_view reference);
// True when scheme, host and port match (where credentials may travel).
bool same_origin(std::string_view a, std::string_view b);
// Percent-encodes everything but unreserved characters.
std::string url_encode(std::string_view s);
// Appends `key=value` (value encoded) to the URL's query.
std::string append_query(std::string url, std::string_view key, std::string_view value);

std::string base64_encode(std::string_view bytes);
Result<std::string> base64_decode(std::string_view text);

} // namespace xbuild::util
