#include <catch2/catch.hpp>

#include "engine/exec/capabilities.hpp"

using namespace xbuild::engine::exec;

TEST_CASE("Docker's default capability set has exactly its 14 capabilities",
          "[engine][exec][capabilities]") {
  auto names = capability_names(docker_default_capabilities());
  CHECK(names == std::vector<std::string>{"CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FOWNER",
                                          "CAP_FSETID", "CAP_KILL", "CAP_SETGID", "CAP_SETUID",
                                          "CAP_SETPCAP", "CAP_NET_BIND_SERVICE", "CAP_NET_RAW",
                                          "CAP_SYS_CHROOT", "CAP_MKNOD", "CAP_AUDIT_WRITE",
                                          "CAP_SETFCAP"});
  // The mask `docker run` shows in /proc/self/status as CapEff for root.
  CHECK(docker_default_capabilities() == 0xa80425fbull);
}

TEST_CASE("the kernel's last capability is read from /proc", "[engine][exec][capabilities]") {
  int last = kernel_last_capability();
  CHECK(last >= 36); // every kernel since 3.16
  CHECK(last < 64);
}
