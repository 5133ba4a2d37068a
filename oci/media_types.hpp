#pragma once
// Media types of OCI and Docker image content, and what we can tell from them.

#include <string>
#include <string_view>
#include <vector>

#include "util/error.hpp"

namespace xbuild::oci {

namespace media_type {
inline constexpr std::string_view k_oci_index = "application/vnd.oci.image.index.v1+json";
inline constexpr std::string_view k_oci_manifest = "application/vnd.oci.image.manifest.v1+json";
inline constexpr std::string_view k_oci_config = "application/vnd.oci.image.config.v1+json";
inline constexpr std::string_view k_oci_layer = "application/vnd.oci.image.layer.v1.tar";
inline constexpr std::string_view k_oci_layer_gzip = "application/vnd.oci.image.layer.v1.tar+gzip";
inline constexpr std::string_view k_oci_layer_zstd = "application/vnd.oci.image.layer.v1.tar+zstd";
inline constexpr std::string_view k_oci_layer_nondist =
    "application/vnd.oci.image.layer.nondistributable.v1.tar";
inline constexpr std::string_view k_oci_layer_nondist_gzip =
    "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip";
inline constexpr std::string_view k_oci_layer_nondist_zstd =
    "application/vnd.oci.image.layer.nondistributable.v1.tar+zstd";
inline constexpr std::string_view k_oci_empty = "application/vnd.oci.empty.v1+json";
inline constexpr std::string_view k_oci_layout_header = "application/vnd.oci.layout.header.v1+json";

inline constexpr std::string_view k_docker_manifest =
    "application/vnd.docker.distribution.manifest.v2+json";
inline constexpr std::string_view k_docker_manifest_list =
    "application/vnd.docker.distribution.manifest.list.v2+json";
inline constexpr std::string_view k_docker_config =
    "application/vnd.docker.container.image.v1+json";
inline constexpr std::string_view k_docker_layer = "application/vnd.docker.image.rootfs.diff.tar";
inline constexpr std::string_view k_docker_layer_gzip =
    "application/vnd.docker.image.rootfs.diff.tar.gzip";
inline constexpr std::string_view k_docker_layer_zstd =
    "application/vnd.docker.image.rootfs.diff.tar.zstd";
inline constexpr std::string_view k_docker_layer_foreign_gzip =
    "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip";
// Schema 1 is only recognised, to refuse it with a clear message.
inline constexpr std::string_view k_docker_manifest_v1 =
    "application/vnd.docker.distribution.manifest.v1+json";
inline constexpr std::string_view k_docker_manifest_v1_signed =
    "application/vnd.docker.distribution.manifest.v1+prettyjws";

inline constexpr std::string_view k_in_toto = "application/vnd.in-toto+json";
} // namespace media_type

// The "{}" blob of the OCI empty descriptor.
inline constexpr std::string_view k_empty_json_digest =
    "sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a";

enum class Compression { none, gzip, zstd };
// Which family of media types a document or layer uses.
enum class MediaFamily { oci, docker };

bool is_index(std::string_view media_type);    // OCI index or Docker manifest list
bool is_manifest(std::string_view media_type); // OCI manifest or Docker schema2 manifest
bool is_config(std::string_view media_type);   // OCI or Docker image config
bool is_layer(std::string_view media_type);    // any OCI or Docker layer type
bool is_docker(std::string_view media_type);   // application/vnd.docker.*
bool is_schema1(std::string_view media_type);

// Compression of a layer media type; an error for anything that is not a layer.
Result<Compression> layer_compression(std::string_view media_type);
// The layer media type for a family and compression. Docker has no zstd type
// accepted widely; we use the OCI zstd type inside Docker manifests too, as
// BuildKit does.
std::string layer_media_type(MediaFamily family, Compression compression);
std::string manifest_media_type(MediaFamily family);
std::string index_media_type(MediaFamily family);
std::string config_media_type(MediaFamily family);

// The `Accept` header value for manifest requests: every type we understand.
std::string manifest_accept_header();
std::string_view compression_name(Compression c); // "uncompressed", "gzip", "zstd"

} // namespace xbuild::oci
