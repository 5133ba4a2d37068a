// The libcurl HttpTransport.
//
// Connection reuse: libcurl keeps its connection cache inside each easy
// handle, and `curl_easy_reset` clears options but keeps live connections.
// So the transport keeps a pool of easy handles; a request borrows one,
// resets it, runs, and returns it. With N threads pushing, N handles stay
// warm and every request after the first to a host reuses a kept-alive
// HTTP/1.1 connection. A share handle adds a common DNS and TLS-session cache
// so a handle connecting for the first time still skips full handshakes.
//
// Streaming: request bodies are pulled through CURLOPT_READFUNCTION from the
// caller's BodySource; response bodies of 2xx answers are pushed to the
// caller's BodySink from CURLOPT_WRITEFUNCTION. Error bodies are buffered
// (capped) so callers can show the registry's message.

#include <curl/curl.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <algorithm>
#include <cstring>
#include <mutex>
#include <optional>
#include <vector>

#include "util/cancel.hpp"
#include "util/http.hpp"
#include "util/strings.hpp"

namespace xbuild::util {
namespace {

constexpr size_t k_max_idle_handles = 32;

void global_init() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

// One request's state, reachable from every curl callback.
struct Exchange {
  const HttpRequest* request = nullptr;
  HttpResponse response;
  size_t body_offset = 0; // into request->body
  std::optional<TransportError> local_error;
};

size_t on_header(char* data, size_t size, size_t count, void* user) {
  auto* ex = static_cast<Exchange*>(user);
  std::string_view line(data, size * count);
  auto stripped = trim(line);
  if (starts_with(stripped, "HTTP/")) {
    // A new response starts (first, after 100-continue, or after a redirect).
    ex->response.headers.clear();
    auto sp = stripped.find(' ');
    if (sp != std::string_view::npos)
      ex->response.status =
          std::strtol(std::string(stripped.substr(sp + 1, 3)).c_str(), nullptr, 10);
  } else if (auto colon = stripped.find(':'); colon != std::string_view::npos) {
    ex->response.headers.add(std::string(trim(stripped.substr(0, colon))),
                             std::string(trim(stripped.substr(colon + 1))));
  }
  return size * count;
}

size_t on_write(char* data, size_t size, size_t count, void* user) {
  auto* ex = static_cast<Exchange*>(user);
  size_t n = size * count;
  long status = ex->response.status;
  if (ex->request->sink && status >= 200 && status < 300) {
    auto r = ex->request->sink(data, n);
    if (!r) {
      ex->local_error = TransportError{TransportErrorKind::sink, r.error().message};
      return 0; // aborts the transfer with CURLE_WRITE_ERROR
    }
    return n;
  }
  auto& body = ex->response.body;
  if (body.size() < k_max_buffered_body)
    body.append(data, std::min(n, k_max_buffered_body - body.size()));
  return n;
}

size_t on_read(char* buffer, size_t size, size_t count, void* user) {
  auto* ex = static_cast<Exchange*>(user);
  size_t want = size * count;
  const auto& req = *ex->request;
  if (req.body_source) {
    auto r = req.body_source(buffer, want);
    if (!r) {
      ex->local_error = TransportError{TransportErrorKind::source, r.error().message};
      return CURL_READFUNC_ABORT;
    }
    return *r;
  }
  size_t n = std::min(want, req.body.size() - ex->body_offset);
  std::memcpy(buffer, req.body.data() + ex->body_offset, n);
  ex->body_offset += n;
  return n;
}

int on_progress(void* user, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
  auto* ex = static_cast<Exchange*>(user);
  if (ex->request->cancel && ex->request->cancel->requested())
    return 1;
  return 0;
}

// Adds the request's extra PEM CAs to the verification store that libcurl
// has already filled with the system roots.
CURLcode on_ssl_ctx(CURL*, void* ssl_ctx, void* user) {
  const auto* pem = static_cast<const std::string*>(user);
  X509_STORE* store = SSL_CTX_get_cert_store(static_cast<SSL_CTX*>(ssl_ctx));
  BIO* bio = BIO_new_mem_buf(pem->data(), static_cast<int>(pem->size()));
  if (!bio)
    return CURLE_OUT_OF_MEMORY;
  while (X509* cert = PEM_read_bio_X509(bio, nullptr, nullptr, nullptr)) {
    X509_STORE_add_cert(store, cert); // duplicates are harmless
    X509_free(cert);
  }
  ERR_clear_error();
  BIO_free(bio);
  return CURLE_OK;
}

TransportErrorKind classify(CURLcode code) {
  switch (code) {
  case CURLE_COULDNT_RESOLVE_HOST:
  case CURLE_COULDNT_RESOLVE_PROXY:
  case CURLE_COULDNT_CONNECT:
    return TransportErrorKind::connect;
  case CURLE_OPERATION_TIMEDOUT:
    return TransportErrorKind::timeout;
  case CURLE_SEND_ERROR:
  case CURLE_RECV_ERROR:
  case CURLE_GOT_NOTHING:
  case CURLE_PARTIAL_FILE:
  case CURLE_HTTP2:
  case CURLE_HTTP2_STREAM:
  case CURLE_WEIRD_SERVER_REPLY:
  case CURLE_SEND_FAIL_REWIND:
    return TransportErrorKind::reset;
  case CURLE_SSL_CONNECT_ERROR:
  case CURLE_PEER_FAILED_VERIFICATION:
  case CURLE_SSL_CERTPROBLEM:
  case CURLE_SSL_CIPHER:
  case CURLE_SSL_CACERT_BADFILE:
  case CURLE_SSL_ISSUER_ERROR:
  case CURLE_SSL_CRL_BADFILE:
    return TransportErrorKind::tls;
  case CURLE_ABORTED_BY_CALLBACK:
    return TransportErrorKind::cancelled;
  default:
    return TransportErrorKind::other;
  }
}

class CurlTransport final : public HttpTransport {
public:
  CurlTransport() {
    global_init();
    m_share = curl_share_init();
    curl_share_setopt(m_share, CURLSHOPT_LOCKFUNC, &CurlTransport::lock);
    curl_share_setopt(m_share, CURLSHOPT_UNLOCKFUNC, &CurlTransport::unlock);
    curl_share_setopt(m_share, CURLSHOPT_USERDATA, this);
    curl_share_setopt(m_share, CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS);
    curl_share_setopt(m_share, CURLSHOPT_SHARE, CURL_LOCK_DATA_SSL_SESSION);
  }

  ~CurlTransport() override {
    for (CURL* h : m_idle)
      curl_easy_cleanup(h);
    curl_share_cleanup(m_share);
  }

  HttpResult perform(const HttpRequest& request) override {
    CURL* h = acquire();
    Exchange ex;
    ex.request = &request;
    curl_slist* headers = nullptr;
    auto result = run(h, request, ex, headers);
    curl_slist_free_all(headers);
    release(h);
    return result;
  }

private:
  HttpResult run(CURL* h, const HttpRequest& req, Exchange& ex, curl_slist*& headers) {
    char error_buffer[CURL_ERROR_SIZE] = {0};
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, error_buffer);
    curl_easy_setopt(h, CURLOPT_SHARE, m_share);
    curl_easy_setopt(h, CURLOPT_URL, req.url.c_str());
    // Always set: pooled handles must not keep a previous request's socket.
    curl_easy_setopt(h, CURLOPT_UNIX_SOCKET_PATH,
                     req.unix_socket.empty() ? nullptr : req.unix_socket.c_str());
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_HTTP_VERSION, CURL_HTTP_VERSION_1_1);
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(h, CURLOPT_TCP_KEEPALIVE, 1L);
    curl_easy_setopt(h, CURLOPT_BUFFERSIZE, 256L * 1024);
    curl_easy_setopt(h, CURLOPT_UPLOAD_BUFFERSIZE, 1024L * 1024);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(req.connect_timeout.count()));
    curl_easy_setopt(h, CURLOPT_LOW_SPEED_LIMIT, 1L);
    curl_easy_setopt(h, CURLOPT_LOW_SPEED_TIME, static_cast<long>(req.stall_timeout.count()));
    curl_easy_setopt(h, CURLOPT_USERAGENT, "docker-xbuild");
    if (req.follow_redirects) {
      curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 1L);
      curl_easy_setopt(h, CURLOPT_MAXREDIRS, 10L);
      curl_easy_setopt(h, CURLOPT_UNRESTRICTED_AUTH, 0L);
      curl_easy_setopt(h, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
    }
    set_tls(h, req.tls);
    set_method(h, req);

    bool has_expect = false;
    for (const auto& [name, value] : req.headers.fields()) {
      headers = curl_slist_append(headers, (name + ": " + value).c_str());
      has_expect = has_expect || to_lower(name) == "expect";
    }
    if (!has_expect) // registries answer quickly; 100-continue only adds a round trip
      headers = curl_slist_append(headers, "Expect:");
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);

    curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(h, CURLOPT_HEADERDATA, &ex);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_write);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &ex);
    curl_easy_setopt(h, CURLOPT_READFUNCTION, on_read);
    curl_easy_setopt(h, CURLOPT_READDATA, &ex);
    curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, on_progress);
    curl_easy_setopt(h, CURLOPT_XFERINFODATA, &ex);

    CURLcode code = curl_easy_perform(h);
    if (ex.local_error)
      return tl::unexpected(*ex.local_error);
    if (code != CURLE_OK) {
      TransportError err{classify(code), std::string(curl_easy_strerror(code))};
      if (error_buffer[0])
        err.message = std::string(trim(error_buffer));
      if (err.kind == TransportErrorKind::cancelled && req.cancel)
        err.message = "cancelled: " + req.cancel->reason();
      return tl::unexpected(std::move(err));
    }
    long status = 0;
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
    ex.response.status = status;
    char* effective = nullptr;
    curl_easy_getinfo(h, CURLINFO_EFFECTIVE_URL, &effective);
    ex.response.effective_url = effective ? effective : req.url;
    return std::move(ex.response);
  }

  static void set_tls(CURL* h, const TlsOptions& tls) {
    curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, tls.verify ? 1L : 0L);
    curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, tls.verify ? 2L : 0L);
    if (!tls.extra_ca_pem.empty()) {
      curl_easy_setopt(h, CURLOPT_SSL_CTX_FUNCTION, on_ssl_ctx);
      curl_easy_setopt(h, CURLOPT_SSL_CTX_DATA, &tls.extra_ca_pem);
    }
    if (!tls.client_cert_file.empty()) {
      curl_easy_setopt(h, CURLOPT_SSLCERT, tls.client_cert_file.c_str());
      curl_easy_setopt(h, CURLOPT_SSLCERTTYPE, "PEM");
    }
    if (!tls.client_key_file.empty())
      curl_easy_setopt(h, CURLOPT_SSLKEY, tls.client_key_file.c_str());
  }

  static void set_method(CURL* h, const HttpRequest& req) {
    bool has_body = req.body_source || !req.body.empty();
    if (req.method == "HEAD") {
      curl_easy_setopt(h, CURLOPT_NOBODY, 1L);
    } else if (req.method == "GET" && !has_body) {
      curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
    } else if (has_body || req.method == "PUT" || req.method == "POST" || req.method == "PATCH") {
      // UPLOAD streams from the read callback; the custom verb keeps the method.
      curl_easy_setopt(h, CURLOPT_UPLOAD, 1L);
      int64_t size = req.body_source ? req.body_size : static_cast<int64_t>(req.body.size());
      if (size >= 0)
        curl_easy_setopt(h, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(size));
      curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, req.method.c_str());
    } else {
      curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, req.method.c_str());
    }
  }

  CURL* acquire() {
    {
      std::lock_guard lock(m_pool_mutex);
      if (!m_idle.empty()) {
        CURL* h = m_idle.back();
        m_idle.pop_back();
        curl_easy_reset(h); // keeps the handle's live connections
        return h;
      }
    }
    return curl_easy_init();
  }

  void release(CURL* h) {
    std::lock_guard lock(m_pool_mutex);
    if (m_idle.size() < k_max_idle_handles)
      m_idle.push_back(h);
    else
      curl_easy_cleanup(h);
  }

  static void lock(CURL*, curl_lock_data data, curl_lock_access, void* user) {
    auto* self = static_cast<CurlTransport*>(user);
    self->m_share_mutex[static_cast<size_t>(data) % k_lock_slots].lock();
  }
  static void unlock(CURL*, curl_lock_data data, void* user) {
    auto* self = static_cast<CurlTransport*>(user);
    self->m_share_mutex[static_cast<size_t>(data) % k_lock_slots].unlock();
  }

  static constexpr size_t k_lock_slots = 8;
  CURLSH* m_share = nullptr;
  std::mutex m_share_mutex[k_lock_slots];
  std::mutex m_pool_mutex;
  std::vector<CURL*> m_idle;
};

} // namespace

std::unique_ptr<HttpTransport> make_curl_transport() { return std::make_unique<CurlTransport>(); }

} // namespace xbuild::util
