#include <catch2/catch.hpp>

#include "engine/exec/etc_files.hpp"

using namespace xbuild::engine::exec;

TEST_CASE("the hosts file names localhost, the sandbox and extra hosts", "[engine][exec][etc]") {
  auto h = make_hosts_file("buildkitsandbox", {"db=10.0.0.5", "v6:fe80::1"});
  REQUIRE(h);
  CHECK(*h == "127.0.0.1\tlocalhost buildkitsandbox\n"
              "::1\tlocalhost ip6-localhost ip6-loopback\n"
              "10.0.0.5\tdb\n"
              "fe80::1\tv6\n");
}

TEST_CASE("a malformed extra host is rejected", "[engine][exec][etc]") {
  CHECK_FALSE(make_hosts_file("h", {"nohost"}));
  CHECK_FALSE(make_hosts_file("h", {"=1.2.3.4"}));
  CHECK_FALSE(make_hosts_file("h", {"a b=1.2.3.4"}));
}

TEST_CASE("resolv.conf keeps loopback resolvers only with the host network",
          "[engine][exec][etc]") {
  std::string host = "search example.org\nnameserver 127.0.0.53\n";
  CHECK(make_resolv_conf(host, NetworkMode::host) == host);
  CHECK(make_resolv_conf(host, NetworkMode::none) ==
        "search example.org\nnameserver 8.8.8.8\nnameserver 8.8.4.4\n");
  CHECK(make_resolv_conf("nameserver 10.1.1.1\n", NetworkMode::none) == "nameserver 10.1.1.1\n");
}
