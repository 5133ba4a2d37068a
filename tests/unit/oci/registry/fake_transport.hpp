#pragma once
// A scripted HttpTransport: a handler answers each request; every request
// (with its body drained from the source) is recorded for assertions.

#include <functional>
#include <mutex>
#include <string>
#include <vector>

#include "util/http.hpp"

namespace xbuild::test {

struct RecordedRequest {
  std::string method, url, body;
  util::HttpHeaders headers;
};

class FakeTransport final : public util::HttpTransport {
public:
  using Handler = std::function<util::HttpResult(const RecordedRequest&)>;
  explicit FakeTransport(Handler handler) : m_handler(std::move(handler)) {}

  util::HttpResult perform(const util::HttpRequest& request) override {
    RecordedRequest rec{request.method, request.url, request.body, request.headers};
    if (request.body_source) {
      char buf[4096];
      while (true) {
        auto n = request.body_source(buf, sizeof buf);
        if (!n)
          return tl::unexpected(
              util::TransportError{util::TransportErrorKind::source, n.error().message});
        if (*n == 0)
          break;
        rec.body.append(buf, *n);
      }
    }
    {
      std::lock_guard lock(m_mutex);
      requests.push_back(rec);
    }
    auto r = m_handler(rec);
    if (r && request.sink && r->status >= 200 && r->status < 300 && !r->body.empty()) {
      auto s = request.sink(r->body.data(), r->body.size());
      if (!s)
        return tl::unexpected(
            util::TransportError{util::TransportErrorKind::sink, s.error().message});
      r->body.clear();
    }
    return r;
  }

  std::vector<RecordedRequest> requests;

private:
  Handler m_handler;
  std::mutex m_mutex;
};

inline util::HttpResponse response(long status,
                                   std::vector<std::pair<std::string, std::string>> headers = {},
                                   std::string body = "") {
  util::HttpResponse r;
  r.status = status;
  for (auto& [k, v] : headers)
    r.headers.add(k, v);
  r.body = std::move(body);
  return r;
}

} // namespace xbuild::test
