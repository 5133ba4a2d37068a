#include <catch2/catch.hpp>

#include "oci/registry/hosts.hpp"
#include "util/fs.hpp"

using namespace xbuild;
using namespace xbuild::oci::registry;

TEST_CASE("local hosts may use plain HTTP, others only verified HTTPS", "[oci][registry][hosts]") {
  for (const char* h : {"localhost:5000", "localhost", "127.0.0.1:5000", "127.1.2.3", "[::1]:5000",
                        "reg.localhost:443"})
    CHECK(is_local_host(h));
  for (const char* h : {"docker.io", "10.0.0.1:5000", "localhost.example.com", "128.0.0.1"})
    CHECK_FALSE(is_local_host(h));
  RegistryHostsOptions o;
  auto remote = resolve_host("reg.example", o).value();
  CHECK(remote.tls.verify);
  CHECK_FALSE(remote.allow_http);
  auto local = resolve_host("127.0.0.1:5000", o).value();
  CHECK(local.tls.verify);
  CHECK(local.allow_http);
  o.insecure_hosts = {"reg.example"};
  auto insecure = resolve_host("reg.example:5000", o).value();
  CHECK_FALSE(insecure.tls.verify);
  CHECK(insecure.allow_http);
}

TEST_CASE("certs.d adds CAs and a client pair; a lone key is an error", "[oci][registry][hosts]") {
  util::TempDir dir;
  auto host = dir.path() / "reg.example:5000";
  std::filesystem::create_directories(host);
  REQUIRE(util::write_file_atomic(host / "ca.crt", "-----BEGIN CERTIFICATE-----\nA\n"));
  REQUIRE(util::write_file_atomic(host / "extra.crt", "-----BEGIN CERTIFICATE-----\nB\n"));
  REQUIRE(util::write_file_atomic(host / "client.cert", "cert"));
  REQUIRE(util::write_file_atomic(host / "client.key", "key"));
  RegistryHostsOptions o;
  o.certs_dirs = {dir.path()};
  auto cfg = resolve_host("reg.example:5000", o);
  REQUIRE(cfg);
  CHECK(cfg->certs_found);
  CHECK(cfg->tls.extra_ca_pem.find("A\n") != std::string::npos);
  CHECK(cfg->tls.extra_ca_pem.find("B\n") != std::string::npos);
  CHECK(cfg->tls.client_cert_file == (host / "client.cert").string());
  CHECK(cfg->tls.client_key_file == (host / "client.key").string());
  CHECK_FALSE(resolve_host("other.example", o)->certs_found);

  std::filesystem::remove(host / "client.cert");
  auto broken = resolve_host("reg.example:5000", o);
  REQUIRE_FALSE(broken);
  CHECK(broken.error().message.find("client.key") != std::string::npos);
}
