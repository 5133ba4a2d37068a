#pragma once
// The RUN sandbox: runs one process tree inside a root filesystem directory,
// isolated the way BuildKit's runc worker isolates a RUN step. This is what
// the solver calls for every RUN (and RUN --mount) vertex.
//
// The caller owns the rootfs (usually an active snapshot's mount point) and
// every mount source; the sandbox only adds mounts inside its own mount
// namespace, which disappear with the process, so nothing leaks into the host
// or into the layer. See docs/dev/sandbox.md for the full list of what the
// process sees.

#include <filesystem>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "util/cancel.hpp"
#include "util/error.hpp"

namespace xbuild::engine::exec {

enum class NetworkMode {
  host, // share the host's network namespace (BuildKit's default for RUN)
  none, // a fresh network namespace with only the loopback interface, up
};

enum class MountType {
  bind,  // `source` (a host path) bind-mounted at `target`
  tmpfs, // a fresh tmpfs at `target`
};

enum class Access { read_write, read_only };

// An extra mount, as RUN --mount needs: bind (context, stage output, secret
// file, cache directory) or tmpfs. `target` is an absolute path inside the
// rootfs; it is created (with parents) when missing and removed again after
// the run if the sandbox created it, so mount points do not end up in the
// layer.
struct Mount {
  MountType type = MountType::bind;
  std::filesystem::path source; // bind: host path (file or directory)
  std::string target;           // absolute path inside the sandbox
  Access access = Access::read_write;
  unsigned long long tmpfs_size = 0; // bytes, 0 = kernel default (half of RAM)
};

// What to run. Invariant: `rootfs` is an existing directory; `argv` is
// non-empty; `cwd` and every mount target are absolute.
struct ExecSpec {
  std::filesystem::path rootfs;
  std::vector<std::string> argv; // argv[0] without '/' is searched in PATH
  std::vector<std::string> env;  // "KEY=VALUE"; PATH defaults when absent
  std::string cwd = "/";         // created (0755, root-owned) when missing
  std::string user;              // Dockerfile USER string; "" = root
  std::string hostname = "buildkitsandbox";
  NetworkMode network = NetworkMode::host;
  std::vector<Mount> mounts;                 // applied in order, after the standard ones
  std::vector<std::string> extra_hosts;      // "name=ip" or "name:ip" lines for /etc/hosts
  unsigned long long shm_size = 64ull << 20; // /dev/shm, Docker's default 64 MiB
};

enum class Stream { out, err };
// Receives output one line at a time (without the newline); a final
// unterminated line is delivered too. Called on the thread that called run().
using OutputSink = std::function<void(Stream, std::string_view line)>;

struct ExitStatus {
  int exit_code = 0;                   // 128+signal when killed by a signal, like a shell
  int signal = 0;                      // the signal that ended PID 1, 0 if it exited
  std::vector<std::string> last_lines; // tail of the combined output
};

// Runs the process and waits for it. An error means the sandbox could not be
// set up or the run was cancelled (exit code 130); a process that ran and
// exited non-zero is a success with that exit code. Needs root (CAP_SYS_ADMIN
// in the initial user namespace); the error says so otherwise.
Result<ExitStatus> execute(const ExecSpec& spec, const OutputSink& sink,
                           const util::CancelSource& cancel);

// execute(), turning a non-zero exit into BuildKit's error:
//   process "/bin/sh -c false" did not complete successfully: exit code: 1
// followed by the last lines of output.
Result<void> run(const ExecSpec& spec, const OutputSink& sink, const util::CancelSource& cancel);

// The message run() uses for a failed process (exposed for the solver's
// progress output and for tests).
std::string describe_failure(const std::vector<std::string>& argv, const ExitStatus& status);

// Number of output lines kept for error messages.
inline constexpr size_t k_tail_lines = 10;

} // namespace xbuild::engine::exec
