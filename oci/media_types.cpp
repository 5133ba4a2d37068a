#include "oci/media_types.hpp"

#include "util/strings.hpp"

namespace xbuild::oci {

using namespace media_type;

bool is_index(std::string_view mt) { return mt == k_oci_index || mt == k_docker_manifest_list; }
bool is_manifest(std::string_view mt) { return mt == k_oci_manifest || mt == k_docker_manifest; }
bool is_config(std::string_view mt) { return mt == k_oci_config || mt == k_docker_config; }
bool is_docker(std::string_view mt) { return util::starts_with(mt, "application/vnd.docker."); }
bool is_schema1(std::string_view mt) {
  return mt == k_docker_manifest_v1 || mt == k_docker_manifest_v1_signed;
}

bool is_layer(std::string_view mt) { return layer_compression(mt).has_value(); }

Result<Compression> layer_compression(std::string_view mt) {
  if (mt == k_oci_layer || mt == k_oci_layer_nondist || mt == k_docker_layer)
    return Compression::none;
  if (mt == k_oci_layer_gzip || mt == k_oci_layer_nondist_gzip || mt == k_docker_layer_gzip ||
      mt == k_docker_layer_foreign_gzip)
    return Compression::gzip;
  if (mt == k_oci_layer_zstd || mt == k_oci_layer_nondist_zstd || mt == k_docker_layer_zstd)
    return Compression::zstd;
  return fail("media type \"" + std::string(mt) +
              "\" is not a known layer type (expected an OCI or Docker tar, tar+gzip or "
              "tar+zstd layer)");
}

std::string layer_media_type(MediaFamily family, Compression compression) {
  if (family == MediaFamily::docker) {
    if (compression == Compression::none)
      return std::string(k_docker_layer);
    if (compression == Compression::gzip)
      return std::string(k_docker_layer_gzip);
  }
  switch (compression) {
  case Compression::none:
    return std::string(k_oci_layer);
  case Compression::gzip:
    return std::string(k_oci_layer_gzip);
  case Compression::zstd:
    return std::string(k_oci_layer_zstd);
  }
  return std::string(k_oci_layer);
}

std::string manifest_media_type(MediaFamily f) {
  return std::string(f == MediaFamily::docker ? k_docker_manifest : k_oci_manifest);
}
std::string index_media_type(MediaFamily f) {
  return std::string(f == MediaFamily::docker ? k_docker_manifest_list : k_oci_index);
}
std::string config_media_type(MediaFamily f) {
  return std::string(f == MediaFamily::docker ? k_docker_config : k_oci_config);
}

std::string manifest_accept_header() {
  return std::string(k_oci_index) + ", " + std::string(k_oci_manifest) + ", " +
         std::string(k_docker_manifest_list) + ", " + std::string(k_docker_manifest);
}

std::string_view compression_name(Compression c) {
  switch (c) {
  case Compression::none:
    return "uncompressed";
  case Compression::gzip:
    return "gzip";
  case Compression::zstd:
    return "zstd";
  }
  return "uncompressed";
}

} // namespace xbuild::oci
