#pragma once
// Distribution API client: one object serves every registry of a command.
//
// Each request goes through `send`, which picks the scheme (HTTPS; HTTP only
// where hosts.hpp allows it), attaches credentials, re-authenticates once on
// 401 and retries transient failures per RetryPolicy. The typed calls below
// build on it; push.hpp and pull.hpp build whole-image operations on those.

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "oci/descriptor.hpp"
#include "oci/digest.hpp"
#include "oci/manifest.hpp"
#include "oci/reference.hpp"
#include "oci/registry/auth.hpp"
#include "oci/registry/credentials.hpp"
#include "oci/registry/hosts.hpp"
#include "oci/registry/retry.hpp"
#include "util/error.hpp"
#include "util/http.hpp"

namespace xbuild::util {
class CancelSource;
}

namespace xbuild::oci::registry {

// Exit code of errors from a transient cause (connection reset, refused,
// stalled): what a caller may retry. (EX_TEMPFAIL.)
inline constexpr int k_exit_transient = 75;

struct RegistryOptions {
  RegistryHostsOptions hosts;
  RetryPolicy retry;
  int parallel_uploads = 4; // blobs in flight per push
  std::chrono::milliseconds connect_timeout{15000};
  std::chrono::seconds stall_timeout{60};
  const util::CancelSource* cancel = nullptr;
};

// Where a repository lives: API host and repository path.
struct Repo {
  std::string host; // API host[:port] (registry-1.docker.io for Hub)
  std::string name; // "library/busybox"
  std::string str() const { return host + "/" + name; }
  static Repo of(const Reference& ref) { return {ref.api_host(), ref.repository}; }
};

// One API request. Bodies and sinks are factories because a retry must
// start the body over and may need to discard what the sink saw.
struct ApiRequest {
  std::string method = "GET";
  std::string target; // "/v2/…" on the repo's host, or an absolute URL (a Location)
  util::HttpHeaders headers;
  std::string body;
  std::function<Result<util::BodySource>()> open_body;
  int64_t body_size = -1;
  std::function<Result<util::BodySink>()> open_sink;
  std::vector<std::string> scopes;
  bool follow_redirects = false;
  bool retry = true; // false: a step of a sequence that is retried as a whole
  std::string what;  // "push blob sha256:…" — for error messages
};

class RegistryClient {
public:
  RegistryClient(util::HttpTransport& transport, CredentialStore& credentials,
                 RegistryOptions options);

  const RegistryOptions& options() const { return m_options; }
  Authenticator& authenticator() { return m_auth; }

  // Sends `request` to `repo`'s registry (auth + retries). A response is
  // returned whatever its status; errors are transport failures that
  // outlasted the retries, or auth failures.
  Result<util::HttpResponse> send(const Repo& repo, ApiRequest request);

  // GET a manifest or index by tag or digest with every Accept type; the
  // bytes are verified when fetched by digest or when the registry names a
  // digest. 404 → an error saying the image was not found.
  Result<ManifestBytes> get_manifest(const Repo& repo, const std::string& tag_or_digest);
  // HEAD a manifest: its descriptor, nullopt on 404.
  Result<std::optional<Descriptor>> head_manifest(const Repo& repo,
                                                  const std::string& tag_or_digest);
  // PUT a manifest by tag or digest; checks the registry's digest.
  Result<void> put_manifest(const Repo& repo, const std::string& tag_or_digest,
                            const ManifestBytes& manifest);

  // HEAD a blob: true when the registry has it.
  Result<bool> blob_exists(const Repo& repo, const Digest& digest);
  // GET a blob into `open_sink` (called again, to start over, on retry),
  // verifying its digest and size as it streams.
  Result<void> fetch_blob(const Repo& repo, const Descriptor& blob,
                          std::function<Result<util::BodySink>()> open_sink);
  Result<std::string> fetch_blob_bytes(const Repo& repo, const Descriptor& blob);

  // Uploads a blob unless the registry already has it: HEAD, then a mount
  // from `mount_from` (repositories on the same registry that hold it), else
  // POST + monolithic PUT (streaming PATCH + PUT when the size is unknown,
  // size < 0). The whole sequence is retried from the start on failure.
  // Returns true when bytes were uploaded.
  enum class Uploaded { existed, mounted, uploaded };
  Result<Uploaded> push_blob(const Repo& repo, const Descriptor& blob,
                             const std::function<Result<util::BodySource>()>& open,
                             const std::vector<std::string>& mount_from = {});

  // Uploads content whose digest and size are not known in advance (a layer
  // compressed on the fly): POST, one streaming PATCH while hashing, then
  // PUT ?digest=. Not retried (the source cannot rewind); no HEAD first.
  // Returns the descriptor of what was uploaded.
  Result<Descriptor> push_blob_stream(const Repo& repo, std::string media_type,
                                      util::BodySource source);

  // An error for an unexpected response: registry, repository, what was
  // attempted, HTTP status and the registry's error codes/messages.
  Error status_error(const Repo& repo, const std::string& what, const util::HttpResponse& response);

private:
  struct Endpoint {
    std::string base; // "https://host:port"
    util::TlsOptions tls;
  };
  Result<Endpoint> endpoint(const std::string& host);
  Result<Endpoint> ping(const std::string& host);
  // Outer error: local failure (auth, body); inner: the transport's.
  Result<util::HttpResult> send_once(const Repo& repo, const Endpoint& ep, ApiRequest& request,
                                     bool refresh_auth);
  bool backoff(int attempt, const std::optional<std::string>& retry_after);
  void show_warnings(const std::string& host, const util::HttpResponse& response);
  std::string redact(const std::string& host, std::string text);
  struct PushAttempt {
    std::optional<Uploaded> done; // set on success
    std::string retry_reason;     // else: why this attempt failed (retryable)
    std::optional<std::string> retry_after;
  };
  Result<PushAttempt> try_push_blob(const Repo& repo, const Descriptor& blob,
                                    const std::function<Result<util::BodySource>()>& open,
                                    const std::vector<std::string>& mount_from);
  Result<std::string> upload_location(const Repo& repo, const Descriptor& blob,
                                      const std::vector<std::string>& mount_from, PushAttempt& a,
                                      bool& mounted);

  util::HttpTransport& m_transport;
  RegistryOptions m_options;
  Authenticator m_auth;
  std::mutex m_mutex;
  std::map<std::string, Endpoint> m_endpoints;
  std::set<std::string> m_warned; // registry Warning texts already shown
};

} // namespace xbuild::oci::registry
