#pragma once
// `--load`: hands the image to a Docker Engine through its API
// (POST /images/load with a docker-archive body), the way `docker load` does.

#include <string>
#include <vector>

#include "oci/content_store.hpp"
#include "oci/descriptor.hpp"
#include "oci/reference.hpp"

namespace xbuild::util {
class CancelSource;
}

namespace xbuild::engine::exporter {

// Where the Docker Engine listens, as the docker CLI resolved it.
struct DockerDaemon {
  std::string host;        // unix:///var/run/docker.sock, tcp://h:2376
  bool tls = false;
  bool skip_verify = false;
  std::string ca_file, cert_file, key_file;
};

// Streams the archive of `manifest` (tagged `names`) to the daemon; returns
// what the daemon reported ("Loaded image: …").
Result<std::string> load_into_docker(const oci::ContentStore& store, const oci::Descriptor& manifest,
                                     const std::vector<oci::Reference>& names,
                                     const DockerDaemon& daemon, const std::filesystem::path& scratch,
                                     const util::CancelSource* cancel);

} // namespace xbuild::engine::exporter
