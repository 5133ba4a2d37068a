#pragma once
// DOCKER_CLI_PLUGIN_SOCKET (docker CLI ≥ 25): the CLI listens on a unix
// socket (abstract on Linux, "@docker_cli_…") and the plugin connects to it.
// When the CLI wants the plugin to stop (the user pressed Ctrl-C without a
// TTY) it closes the connection; EOF on our side means "cancel and exit".

#include <string>
#include <thread>

#include "util/cancel.hpp"
#include "util/error.hpp"

namespace xbuild::plugin {

class PluginSocketWatch {
public:
  // Connects to `address` and watches it on a background thread; EOF or an
  // error on the connection requests cancellation through `cancel`.
  static Result<std::unique_ptr<PluginSocketWatch>> start(const std::string& address,
                                                          util::CancelSource& cancel);
  ~PluginSocketWatch();
  PluginSocketWatch(const PluginSocketWatch&) = delete;
  PluginSocketWatch& operator=(const PluginSocketWatch&) = delete;

private:
  PluginSocketWatch(int fd, int wake_fd) : m_fd(fd), m_wake_fd(wake_fd) {}
  int m_fd;
  int m_wake_fd; // eventfd that stops the thread when we exit first
  std::thread m_thread;
};

} // namespace xbuild::plugin
