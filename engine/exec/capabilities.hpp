#pragma once
// Linux capabilities for RUN steps: Docker's default set, and the syscalls
// that restrict a process to it. Everything here is safe to call in a child
// between clone() and execve() (no allocation, no locks).

#include <cstdint>
#include <string>
#include <vector>

namespace xbuild::engine::exec {

// A set of capabilities as a bit mask (bit n = capability number n).
using CapSet = std::uint64_t;

// Docker's (and BuildKit's) default set: CHOWN, DAC_OVERRIDE, FSETID, FOWNER,
// MKNOD, NET_RAW, SETGID, SETUID, SETFCAP, SETPCAP, NET_BIND_SERVICE,
// SYS_CHROOT, KILL, AUDIT_WRITE. Notably absent: SYS_ADMIN, NET_ADMIN,
// SYS_PTRACE, SYS_MODULE, DAC_READ_SEARCH.
CapSet docker_default_capabilities();

// Names ("CAP_CHOWN", …) of the capabilities in `set`, lowest first; for
// messages and tests.
std::vector<std::string> capability_names(CapSet set);

// The highest capability number the running kernel knows (from
// /proc/sys/kernel/cap_last_cap). Call before clone(); it allocates.
int kernel_last_capability();

// Drops every capability outside `keep` from the bounding set, then sets
// effective and permitted to `keep` (inheritable and ambient empty). Returns
// 0 or an errno value. Call while still uid 0, before setuid: a later switch
// to a non-root uid then clears effective/permitted as the kernel does for
// any non-root exec, exactly as under Docker.
int restrict_capabilities(CapSet keep, int last_cap);

} // namespace xbuild::engine::exec
