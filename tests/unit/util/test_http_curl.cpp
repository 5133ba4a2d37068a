#include <catch2/catch.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <string>
#include <thread>

#include "util/cancel.hpp"
#include "util/http.hpp"
#include "util/sha256.hpp"

using namespace xbuild::util;

namespace {

// A minimal HTTP/1.1 keep-alive server on 127.0.0.1 for the real transport:
// answers every request with "<method> <path> <body bytes> <sha256 of body>",
// `/big` with 3 MiB of 'x', `/missing` with 404, `/slow` never.
class TinyServer {
public:
  TinyServer() {
    m_fd = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bind(m_fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    listen(m_fd, 16);
    socklen_t len = sizeof addr;
    getsockname(m_fd, reinterpret_cast<sockaddr*>(&addr), &len);
    m_port = ntohs(addr.sin_port);
    m_thread = std::thread([this] { serve(); });
  }
  ~TinyServer() {
    m_stop = true;
    shutdown(m_fd, SHUT_RDWR);
    close(m_fd);
    m_thread.join();
    for (auto& t : m_clients)
      t.join();
  }
  std::string url(const std::string& path) const {
    return "http://127.0.0.1:" + std::to_string(m_port) + path;
  }
  int accepted() const { return m_accepted; }

private:
  void serve() {
    while (!m_stop) {
      int c = accept(m_fd, nullptr, nullptr);
      if (c < 0)
        return;
      ++m_accepted;
      m_clients.emplace_back([this, c] { handle(c); });
    }
  }
  static bool read_line(int c, std::string& buf, std::string& line) {
    while (true) {
      auto p = buf.find("\r\n");
      if (p != std::string::npos) {
        line = buf.substr(0, p);
        buf.erase(0, p + 2);
        return true;
      }
      char tmp[65536];
      ssize_t n = recv(c, tmp, sizeof tmp, 0);
      if (n <= 0)
        return false;
      buf.append(tmp, size_t(n));
    }
  }
  static bool read_n(int c, std::string& buf, size_t n, std::string& out) {
    while (buf.size() < n) {
      char tmp[65536];
      ssize_t k = recv(c, tmp, sizeof tmp, 0);
      if (k <= 0)
        return false;
      buf.append(tmp, size_t(k));
    }
    out = buf.substr(0, n);
    buf.erase(0, n);
    return true;
  }
  void handle(int c) {
    std::string buf, line;
    while (read_line(c, buf, line)) {
      std::string method = line.substr(0, line.find(' '));
      std::string path = line.substr(line.find(' ') + 1);
      path = path.substr(0, path.find(' '));
      size_t length = 0;
      bool chunked = false;
      while (read_line(c, buf, line) && !line.empty()) {
        std::string lower;
        for (char ch : line)
          lower += char(std::tolower(static_cast<unsigned char>(ch)));
        if (lower.rfind("content-length:", 0) == 0)
          length = std::stoul(line.substr(15));
        if (lower.rfind("transfer-encoding:", 0) == 0 && lower.find("chunked") != std::string::npos)
          chunked = true;
      }
      std::string body;
      if (chunked) {
        while (read_line(c, buf, line)) {
          size_t n = std::stoul(line, nullptr, 16);
          std::string chunk;
          if (n == 0) {
            read_line(c, buf, line);
            break;
          }
          read_n(c, buf, n + 2, chunk);
          body += chunk.substr(0, n);
        }
      } else if (length) {
        read_n(c, buf, length, body);
      }
      if (path == "/slow") {
        while (!m_stop)
          std::this_thread::sleep_for(std::chrono::milliseconds(20));
        break;
      }
      std::string status = path == "/missing" ? "404 Not Found" : "200 OK";
      std::string reply = path == "/big" ? std::string(3 << 20, 'x')
                                         : method + " " + path + " " + std::to_string(body.size()) +
                                               " " + sha256_hex(body);
      std::string head = "HTTP/1.1 " + status +
                         "\r\nContent-Length: " + std::to_string(reply.size()) +
                         "\r\nX-Test: yes\r\n\r\n";
      std::string all = head + (method == "HEAD" ? "" : reply);
      if (send(c, all.data(), all.size(), MSG_NOSIGNAL) < 0)
        break;
    }
    close(c);
  }

  int m_fd = -1;
  int m_port = 0;
  std::atomic<bool> m_stop{false};
  std::atomic<int> m_accepted{0};
  std::thread m_thread;
  std::vector<std::thread> m_clients;
};

} // namespace

TEST_CASE("the curl transport reuses one keep-alive connection for sequential requests",
          "[util][http][curl]") {
  TinyServer server;
  auto t = make_curl_transport();
  for (int i = 0; i < 5; ++i) {
    HttpRequest req;
    req.url = server.url("/ping");
    auto r = t->perform(req);
    REQUIRE(r);
    CHECK(r->status == 200);
    CHECK(r->headers.get("x-test") == "yes");
    CHECK(r->body.rfind("GET /ping 0 ", 0) == 0);
  }
  CHECK(server.accepted() == 1);
}

TEST_CASE("request bodies stream from a source with known or unknown size", "[util][http][curl]") {
  TinyServer server;
  auto t = make_curl_transport();
  const size_t total = 5 * 1024 * 1024 + 17;
  std::string expected(total, '\0');
  for (size_t i = 0; i < total; ++i)
    expected[i] = static_cast<char>(i * 31 % 251);
  for (int64_t size : {int64_t(total), int64_t(-1)}) {
    size_t offset = 0;
    HttpRequest req;
    req.method = size < 0 ? "PATCH" : "PUT";
    req.url = server.url("/upload");
    req.body_size = size;
    req.body_source = [&](char* buf, size_t n) -> xbuild::Result<size_t> {
      size_t k = std::min(n, total - offset);
      std::copy_n(expected.data() + offset, k, buf);
      offset += k;
      return k;
    };
    auto r = t->perform(req);
    REQUIRE(r);
    CHECK(r->body == req.method + " /upload " + std::to_string(total) + " " + sha256_hex(expected));
  }
}

TEST_CASE("2xx bodies go to the sink; error bodies are buffered instead", "[util][http][curl]") {
  TinyServer server;
  auto t = make_curl_transport();
  size_t received = 0;
  HttpRequest req;
  req.url = server.url("/big");
  req.sink = [&](const char*, size_t n) -> xbuild::Result<void> {
    received += n;
    return {};
  };
  auto r = t->perform(req);
  REQUIRE(r);
  CHECK(received == (3u << 20));
  CHECK(r->body.empty());
  received = 0;
  req.url = server.url("/missing");
  auto m = t->perform(req);
  REQUIRE(m);
  CHECK(m->status == 404);
  CHECK(received == 0);
  CHECK(m->body.rfind("GET /missing", 0) == 0);
  // A sink failure aborts the transfer with the sink's message.
  req.url = server.url("/big");
  req.sink = [](const char*, size_t) -> xbuild::Result<void> { return xbuild::fail("disk full"); };
  auto s = t->perform(req);
  REQUIRE_FALSE(s);
  CHECK(s.error().kind == TransportErrorKind::sink);
  CHECK(s.error().message == "disk full");
}

TEST_CASE("refused connections and cancellation are reported by kind", "[util][http][curl]") {
  auto t = make_curl_transport();
  int port;
  {
    TinyServer gone;
    port = std::stoi(gone.url("").substr(17));
  }
  HttpRequest req;
  req.url = "http://127.0.0.1:" + std::to_string(port) + "/";
  auto r = t->perform(req);
  REQUIRE_FALSE(r);
  CHECK(r.error().kind == TransportErrorKind::connect);
  CHECK(r.error().retryable());

  TinyServer server;
  CancelSource cancel;
  req.url = server.url("/slow");
  req.cancel = &cancel;
  std::thread canceller([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    cancel.request("interrupted");
  });
  auto c = t->perform(req);
  canceller.join();
  REQUIRE_FALSE(c);
  CHECK(c.error().kind == TransportErrorKind::cancelled);
  CHECK_FALSE(c.error().retryable());
}
