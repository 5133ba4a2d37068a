#include "tests/unit/engine/exec/rootfs_fixture.hpp"

#include <unistd.h>

namespace xbuild::test {
namespace fs = std::filesystem;

std::string sandbox_unavailable_reason() {
  if (::geteuid() != 0)
    return "the sandbox needs root; run the unit tests as root";
  if (!fs::exists(k_busybox))
    return std::string(k_busybox) + " is missing: apt-get install busybox-static";
  return "";
}

BusyboxRootfs::BusyboxRootfs() {
  const auto& root = m_dir.path();
  for (const char* d : {"bin", "etc", "tmp", "root", "home/builder"})
    fs::create_directories(root / d);
  fs::permissions(root, fs::perms(0755)); // mkdtemp made it 0700
  fs::permissions(root / "tmp", fs::perms(01777));
  fs::copy_file(k_busybox, root / "bin/busybox");
  for (const char* applet :
       {"sh",  "ls",    "cat",      "ps",    "hostname", "id",    "echo", "env",
        "pwd", "sleep", "touch",    "mkdir", "rm",       "grep",  "wc",   "head",
        "ip",  "mount", "readlink", "stat",  "true",     "false", "test", "uname"})
    fs::create_symlink("busybox", root / "bin" / applet);
  (void)util::write_file_atomic(root / "etc/passwd",
                                "root:x:0:0:root:/root:/bin/sh\n"
                                "builder:x:1000:1000:Builder:/home/builder:/bin/sh\n"
                                "nobody:x:65534:65534:nobody:/nonexistent:/bin/false\n");
  (void)util::write_file_atomic(root / "etc/group", "root:x:0:\n"
                                                    "builder:x:1000:\n"
                                                    "audio:x:29:builder\n"
                                                    "video:x:44:builder,other\n"
                                                    "nogroup:x:65534:\n");
}

} // namespace xbuild::test
