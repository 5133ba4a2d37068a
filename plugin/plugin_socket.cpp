#include "plugin/plugin_socket.hpp"

#include <cerrno>
#include <cstring>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "util/log.hpp"

namespace xbuild::plugin {

Result<std::unique_ptr<PluginSocketWatch>> PluginSocketWatch::start(const std::string& address,
                                                                    util::CancelSource& cancel) {
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (address.empty() || address.size() >= sizeof(addr.sun_path))
    return fail("DOCKER_CLI_PLUGIN_SOCKET is not a usable socket address: \"" + address + "\"");
  std::memcpy(addr.sun_path, address.data(), address.size());
  socklen_t len = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + address.size());
  if (address[0] == '@')
    addr.sun_path[0] = '\0'; // abstract namespace, as the docker CLI uses on Linux
  else
    len += 1;
  int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0)
    return fail(std::string("cannot create a unix socket: ") + std::strerror(errno));
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), len) != 0) {
    int err = errno;
    ::close(fd);
    return fail("cannot connect to the docker CLI plugin socket " + address + ": " +
                std::strerror(err));
  }
  int wake = ::eventfd(0, EFD_CLOEXEC);
  std::unique_ptr<PluginSocketWatch> watch(new PluginSocketWatch(fd, wake));
  watch->m_thread = std::thread([fd, wake, &cancel] {
    pollfd fds[2] = {{fd, POLLIN, 0}, {wake, POLLIN, 0}};
    char buf[256];
    for (;;) {
      int n = ::poll(fds, 2, -1);
      if (n < 0 && errno == EINTR)
        continue;
      if (fds[1].revents)
        return; // we are shutting down on our own
      ssize_t r = ::read(fd, buf, sizeof buf);
      if (r > 0)
        continue; // the protocol sends nothing we need; keep waiting for EOF
      if (r < 0 && errno == EINTR)
        continue;
      spdlog::debug("docker CLI closed the plugin socket; cancelling");
      cancel.request("the docker CLI asked the plugin to stop");
      return;
    }
  });
  return watch;
}

PluginSocketWatch::~PluginSocketWatch() {
  uint64_t one = 1;
  [[maybe_unused]] auto w = ::write(m_wake_fd, &one, sizeof one);
  if (m_thread.joinable())
    m_thread.join();
  ::close(m_fd);
  ::close(m_wake_fd);
}

} // namespace xbuild::plugin
