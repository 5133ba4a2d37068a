#pragma once
// Internal to the sandbox: the plan a child process follows between clone()
// and execve(). The build process is multi-threaded, so the child may not
// allocate or take locks (another thread may have held the malloc lock at
// the moment of clone). Everything that needs memory — strings, argv/envp
// arrays, path prefixes for `mkdir -p`, candidate paths for the PATH search —
// is computed by the parent into this plan first; the child only reads it
// and makes system calls.

#include <string>
#include <sys/types.h>
#include <vector>

#include "engine/exec/capabilities.hpp"

namespace xbuild::engine::exec::detail {

// A mount performed after pivot_root. Bind sources are opened with
// open_tree() *before* pivot_root (while host paths are still reachable);
// targets are resolved *after* it, so a symlink in the image can never point
// a mount at a host path.
struct ChildMount {
  enum class Kind { bind, tmpfs } kind = Kind::bind;
  std::string source;               // bind: host path
  std::string target;               // absolute path in the sandbox
  std::vector<std::string> parents; // "/a", "/a/b" for target "/a/b/c"
  bool target_is_file = false;      // bind of a regular file
  bool read_only = false;
  std::string tmpfs_options; // "size=…,mode=…"
  int tree_fd = -1;          // filled by the child
};

struct ChildPlan {
  std::string rootfs;
  std::string hostname;
  bool network_none = false;
  unsigned long long shm_size = 0;
  std::string shm_options;
  std::vector<ChildMount> mounts;       // generated /etc files first, then the caller's
  std::vector<std::string> cwd_parents; // every prefix of cwd, for mkdir -p
  std::string cwd;
  std::vector<std::string> exec_candidates; // argv[0] resolved against PATH, in order
  std::vector<char*> argv;                  // null-terminated, points into owned strings
  std::vector<char*> envp;                  // null-terminated
  uid_t uid = 0;
  gid_t gid = 0;
  std::vector<gid_t> groups;
  CapSet capabilities = 0;
  int last_cap = 0;
  int stdin_fd = -1;  // host /dev/null
  int stdout_fd = -1; // pipe write ends
  int stderr_fd = -1;
  int report_fd = -1; // CLOEXEC pipe: setup errors, closed by a successful execve
};

// What the child writes to report_fd when a step fails.
struct ChildReport {
  int err = 0;         // errno
  char step[200] = {}; // NUL-terminated description of the failed step
};

// Runs in the child right after clone(); `arg` is a ChildPlan*. Never
// returns: it ends in execve() or _exit(127).
int child_main(void* arg);

} // namespace xbuild::engine::exec::detail
