#include <catch2/catch.hpp>

#include "oci/media_types.hpp"

using namespace xbuild::oci;

TEST_CASE("layer media types map to their compression in both families", "[oci][media_types]") {
  struct Case {
    std::string_view type;
    Compression compression;
  };
  Case cases[] = {
      {media_type::k_oci_layer, Compression::none},
      {media_type::k_oci_layer_gzip, Compression::gzip},
      {media_type::k_oci_layer_zstd, Compression::zstd},
      {media_type::k_oci_layer_nondist_gzip, Compression::gzip},
      {media_type::k_docker_layer_gzip, Compression::gzip},
      {media_type::k_docker_layer_foreign_gzip, Compression::gzip},
      {media_type::k_docker_layer, Compression::none},
  };
  for (auto& c : cases) {
    INFO(c.type);
    auto got = layer_compression(c.type);
    REQUIRE(got);
    CHECK(*got == c.compression);
    CHECK(is_layer(c.type));
  }
  auto bad = layer_compression(media_type::k_oci_config);
  REQUIRE_FALSE(bad);
  CHECK_THAT(bad.error().message, Catch::Contains("not a known layer type"));
}

TEST_CASE("media type predicates tell indexes, manifests, configs and families apart",
          "[oci][media_types]") {
  CHECK(is_index(media_type::k_oci_index));
  CHECK(is_index(media_type::k_docker_manifest_list));
  CHECK_FALSE(is_index(media_type::k_oci_manifest));
  CHECK(is_manifest(media_type::k_docker_manifest));
  CHECK_FALSE(is_manifest(media_type::k_docker_manifest_v1_signed));
  CHECK(is_schema1(media_type::k_docker_manifest_v1_signed));
  CHECK(is_config(media_type::k_docker_config));
  CHECK(is_docker(media_type::k_docker_layer_gzip));
  CHECK_FALSE(is_docker(media_type::k_oci_layer_gzip));
  CHECK(layer_media_type(MediaFamily::docker, Compression::gzip) ==
        media_type::k_docker_layer_gzip);
  CHECK(layer_media_type(MediaFamily::docker, Compression::zstd) == media_type::k_oci_layer_zstd);
  CHECK(layer_media_type(MediaFamily::oci, Compression::none) == media_type::k_oci_layer);
  CHECK(index_media_type(MediaFamily::docker) == media_type::k_docker_manifest_list);
  std::string accept = manifest_accept_header();
  for (auto t : {media_type::k_oci_index, media_type::k_oci_manifest,
                 media_type::k_docker_manifest_list, media_type::k_docker_manifest})
    CHECK_THAT(accept, Catch::Contains(std::string(t)));
}
