// xbuild-oci-fixture: a test-only producer of OCI layouts and docker
// archives from root filesystem directories, using the real oci/ library,
// so end-to-end tests can check our output with skopeo and docker load.
// Not part of the product (never installed).
//
//   xbuild-oci-fixture --store DIR --tag REF --rootfs PLATFORM=DIR [--rootfs …]
//       [--family oci|docker] [--compression gzip|zstd|none]
//       [--oci-dir DIR] [--oci-tar FILE] [--docker-archive FILE]
//       [--index-out FILE]   the root (index) bytes, to compare with skopeo --raw
//
// Prints the root digest on stdout.

#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <iostream>
#include <string>
#include <vector>

#include "oci/docker_archive.hpp"
#include "oci/image_builder.hpp"
#include "oci/oci_layout.hpp"
#include "util/fs.hpp"

using namespace xbuild;
using namespace xbuild::oci;

namespace {

struct Args {
  std::string store, tag, oci_dir, oci_tar, docker_archive, index_out;
  std::vector<std::pair<std::string, std::string>> rootfs; // platform, dir
  MediaFamily family = MediaFamily::oci;
  Compression compression = Compression::gzip;
};

int usage(const std::string& why) {
  std::cerr << "xbuild-oci-fixture: " << why << "\n";
  return 2;
}

Result<void> write_to_file(const std::string& path,
                           const std::function<Result<void>(const WriteFn&)>& produce) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0)
    return fail("cannot create " + path + ": " + std::strerror(errno));
  WriteFn sink = [fd, &path](const void* data, size_t size) -> Result<void> {
    auto p = static_cast<const char*>(data);
    while (size > 0) {
      ssize_t n = ::write(fd, p, size);
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        return fail("cannot write " + path + ": " + std::strerror(errno));
      p += n;
      size -= static_cast<size_t>(n);
    }
    return {};
  };
  auto r = produce(sink);
  ::close(fd);
  return r;
}

Result<std::string> run(const Args& args) {
  ContentStore store = TRY(ContentStore::open(args.store));
  Reference ref = TRY(Reference::parse(args.tag));
  std::vector<Descriptor> children;
  LayerWriteOptions layer_options;
  layer_options.compression = args.compression;
  layer_options.fixed_mtime = 0;
  for (auto& [platform_text, dir] : args.rootfs) {
    Platform platform = TRY(Platform::parse(platform_text, "--rootfs"));
    StoredLayer layer = TRY(store_layer(store, dir, layer_options, args.family));
    ImageConfig config;
    config.created = "1970-01-01T00:00:00Z";
    config.os = platform.os;
    config.architecture = platform.architecture;
    config.variant = platform.variant;
    config.config.env = {"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"};
    config.config.cmd = std::vector<std::string>{"sh"};
    config.history.push_back({"1970-01-01T00:00:00Z", "", "xbuild-oci-fixture", "", false});
    StoredImage image = TRY(store_image(store, config, {layer}, args.family));
    children.push_back(image.descriptor);
  }
  ManifestBytes index = TRY(store_index(store, children));
  Descriptor root = index.descriptor();
  if (!args.oci_dir.empty())
    TRY(write_oci_layout_dir(store, {{root, ref}}, args.oci_dir));
  if (!args.oci_tar.empty())
    TRY_VOID(write_to_file(args.oci_tar, [&](const WriteFn& sink) -> Result<void> {
      TRY(write_oci_layout_tar(store, {{root, ref}}, sink));
      return {};
    }));
  if (!args.docker_archive.empty())
    TRY_VOID(write_to_file(args.docker_archive, [&](const WriteFn& sink) {
      return write_docker_archive(store, {{children.front(), {ref}}}, sink);
    }));
  if (!args.index_out.empty())
    TRY_VOID(util::write_file_atomic(args.index_out, index.bytes));
  return index.digest.str();
}

} // namespace

int main(int argc, char** argv) {
  Args args;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (i + 1 >= argc)
      return usage("missing value for " + a);
    std::string v = argv[++i];
    if (a == "--store")
      args.store = v;
    else if (a == "--tag")
      args.tag = v;
    else if (a == "--oci-dir")
      args.oci_dir = v;
    else if (a == "--oci-tar")
      args.oci_tar = v;
    else if (a == "--docker-archive")
      args.docker_archive = v;
    else if (a == "--index-out")
      args.index_out = v;
    else if (a == "--family")
      args.family = v == "docker" ? MediaFamily::docker : MediaFamily::oci;
    else if (a == "--compression")
      args.compression = v == "zstd"   ? Compression::zstd
                         : v == "none" ? Compression::none
                                       : Compression::gzip;
    else if (a == "--rootfs") {
      auto eq = v.find('=');
      if (eq == std::string::npos)
        return usage("--rootfs wants PLATFORM=DIR");
      args.rootfs.emplace_back(v.substr(0, eq), v.substr(eq + 1));
    } else
      return usage("unknown option " + a);
  }
  if (args.store.empty() || args.tag.empty() || args.rootfs.empty())
    return usage("--store, --tag and at least one --rootfs are required");
  auto r = run(args);
  if (!r) {
    std::cerr << "xbuild-oci-fixture: " << r.error().message << "\n";
    return 1;
  }
  std::cout << *r << "\n";
  return 0;
}
