// Runs docker-credential-<helper> as a child process: the request on stdin,
// the answer (or the error message) on stdout, stderr passed through.

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "oci/registry/credentials.hpp"

extern char** environ;

namespace xbuild::oci::registry {
namespace {

class ProcessHelperRunner final : public CredentialHelperRunner {
public:
  Result<HelperOutput> run(const std::string& helper, const std::string& action,
                           const std::string& input) override {
    std::string program = "docker-credential-" + helper;
    int in_pipe[2], out_pipe[2];
    if (pipe2(in_pipe, O_CLOEXEC) != 0)
      return fail("cannot run " + program + ": " + std::strerror(errno));
    if (pipe2(out_pipe, O_CLOEXEC) != 0) {
      close(in_pipe[0]);
      close(in_pipe[1]);
      return fail("cannot run " + program + ": " + std::strerror(errno));
    }
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, in_pipe[0], 0);
    posix_spawn_file_actions_adddup2(&actions, out_pipe[1], 1);
    std::string action_copy = action;
    char* argv[] = {program.data(), action_copy.data(), nullptr};
    pid_t pid = 0;
    int rc = posix_spawnp(&pid, program.c_str(), &actions, nullptr, argv, environ);
    posix_spawn_file_actions_destroy(&actions);
    close(in_pipe[0]);
    close(out_pipe[1]);
    if (rc != 0) {
      close(in_pipe[1]);
      close(out_pipe[0]);
      return fail("credential helper " + program +
                  " not found on PATH (configured in "
                  "config.json credsStore/credHelpers): " +
                  std::strerror(rc));
    }
    // The request is a few bytes; helpers read it whole before answering.
    signal(SIGPIPE, SIG_IGN);
    size_t off = 0;
    while (off < input.size()) {
      ssize_t n = write(in_pipe[1], input.data() + off, input.size() - off);
      if (n <= 0)
        break;
      off += size_t(n);
    }
    close(in_pipe[1]);
    HelperOutput result;
    char buf[4096];
    while (true) {
      ssize_t n = read(out_pipe[0], buf, sizeof buf);
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        break;
      if (result.out.size() < (1 << 20))
        result.out.append(buf, size_t(n));
    }
    close(out_pipe[0]);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    return result;
  }
};

} // namespace

std::unique_ptr<CredentialHelperRunner> make_process_helper_runner() {
  return std::make_unique<ProcessHelperRunner>();
}

} // namespace xbuild::oci::registry
