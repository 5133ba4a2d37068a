#pragma once
// A tiny root filesystem for sandbox tests: Debian's static busybox with
// applet links, an /etc/passwd and /etc/group with a few users, in a fresh
// temp dir. Tests that need it skip (with the reason) when not run as root
// or when busybox-static is not installed.

#include <filesystem>
#include <optional>
#include <string>

#include "util/fs.hpp"

namespace xbuild::test {

inline const char* k_busybox = "/bin/busybox";

// Why the sandbox cannot be tested here, or "" when it can.
std::string sandbox_unavailable_reason();

class BusyboxRootfs {
public:
  BusyboxRootfs();
  const std::filesystem::path& path() const { return m_dir.path(); }
  // Keeps the directory for inspection (call when a check failed).
  void keep() { m_dir.keep(); }

private:
  util::TempDir m_dir{"xbuild-rootfs"};
};

} // namespace xbuild::test

#define XBUILD_REQUIRE_SANDBOX()                                                                   \
  do {                                                                                             \
    auto why_ = ::xbuild::test::sandbox_unavailable_reason();                                      \
    if (!why_.empty()) {                                                                           \
      WARN("skipped: " << why_);                                                                   \
      return;                                                                                      \
    }                                                                                              \
  } while (0)

// REQUIRE for a Result, printing the error message when it failed.
#define XBUILD_REQUIRE_OK(expr)                                                                    \
  do {                                                                                             \
    const auto& ok_ = (expr);                                                                      \
    if (!ok_)                                                                                      \
      FAIL(ok_.error().message);                                                                   \
  } while (0)
