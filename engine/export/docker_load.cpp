#include "engine/export/docker_load.hpp"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "oci/docker_archive.hpp"
#include "util/fs.hpp"
#include "util/http.hpp"
#include "util/strings.hpp"

namespace xbuild::engine::exporter {
namespace {

Result<util::HttpRequest> api_request(const DockerDaemon& d, const std::string& path) {
  util::HttpRequest req;
  if (d.host.starts_with("unix://")) {
    req.unix_socket = d.host.substr(7);
    req.url = "http://docker" + path;
  } else if (d.host.starts_with("tcp://")) {
    req.url = std::string(d.tls ? "https://" : "http://") + d.host.substr(6) + path;
    req.tls.verify = !d.skip_verify;
    if (!d.ca_file.empty())
      req.tls.extra_ca_pem = TRY(util::read_file(d.ca_file));
    req.tls.client_cert_file = d.cert_file;
    req.tls.client_key_file = d.key_file;
  } else {
    return fail("cannot load into the Docker Engine at " + d.host +
                ": only unix:// and tcp:// endpoints are supported");
  }
  return req;
}

} // namespace

Result<std::string> load_into_docker(const oci::ContentStore& store, const oci::Descriptor& manifest,
                                     const std::vector<oci::Reference>& names,
                                     const DockerDaemon& daemon, const std::filesystem::path& scratch,
                                     const util::CancelSource* cancel) {
  // Written to a file first: the body must be restartable and its size known.
  std::error_code ec;
  std::filesystem::create_directories(scratch, ec);
  auto path = scratch / ("load-" + manifest.digest.short_hex() + ".tar");
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0)
    return fail("cannot create " + path.string() + ": " + std::strerror(errno));
  struct Closer {
    int fd;
    std::filesystem::path path;
    ~Closer() {
      ::close(fd);
      ::unlink(path.c_str());
    }
  } closer{fd, path};
  auto write = [fd](const void* data, size_t size) -> Result<void> {
    const char* p = static_cast<const char*>(data);
    while (size) {
      ssize_t n = ::write(fd, p, size);
      if (n < 0 && errno != EINTR)
        return fail(std::string("cannot write the image archive: ") + std::strerror(errno));
      if (n > 0) {
        p += n;
        size -= static_cast<size_t>(n);
      }
    }
    return {};
  };
  TRY_VOID(oci::write_docker_archive(store, {{manifest, names}}, write));
  off_t size = ::lseek(fd, 0, SEEK_END);
  ::lseek(fd, 0, SEEK_SET);

  auto req = TRY(api_request(daemon, "/images/load?quiet=1"));
  req.method = "POST";
  req.headers.set("Content-Type", "application/x-tar");
  req.body_size = size;
  req.body_source = [fd](char* buf, size_t n) -> Result<size_t> {
    ssize_t r = ::read(fd, buf, n);
    if (r < 0)
      return fail(std::string("cannot read the image archive: ") + std::strerror(errno));
    return static_cast<size_t>(r);
  };
  req.cancel = cancel;
  req.stall_timeout = std::chrono::seconds(300);
  auto transport = util::make_curl_transport();
  auto resp = transport->perform(req);
  if (!resp)
    return fail("cannot reach the Docker Engine at " + daemon.host + ": " + resp.error().message +
                "; is dockerd running, and is DOCKER_HOST / the docker context right?");
  if (resp->status != 200)
    return fail("the Docker Engine at " + daemon.host + " refused the image (HTTP " +
                std::to_string(resp->status) + "): " + std::string(util::trim(resp->body)));
  std::string loaded;
  for (const auto& line : util::split(resp->body, '\n')) {
    auto j = nlohmann::json::parse(line, nullptr, false);
    if (j.is_discarded() || !j.is_object())
      continue;
    if (j.contains("errorDetail") || j.contains("error"))
      return fail("the Docker Engine could not load the image: " + j.value("error", line));
    if (j.contains("stream"))
      loaded += j["stream"].get<std::string>();
  }
  return std::string(util::trim(loaded));
}

} // namespace xbuild::engine::exporter
