#include <catch2/catch.hpp>

#include "oci/manifest.hpp"

using namespace xbuild::oci;

namespace {

Descriptor blob(std::string media_type, std::string_view content) {
  return descriptor_for(std::move(media_type), content);
}

Descriptor child(std::string media_type, std::string_view content, const char* platform) {
  Descriptor d = blob(std::move(media_type), content);
  d.platform = *Platform::parse(platform);
  return d;
}

// A manifest list as a registry might serve it: indented, keys in Docker's
// order. Its digest must be of these bytes, not of a re-encoding.
const std::string k_served_list = R"({
   "schemaVersion": 2,
   "mediaType": "application/vnd.docker.distribution.manifest.list.v2+json",
   "manifests": [
      {
         "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
         "size": 527,
         "digest": "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
         "platform": {
            "architecture": "amd64",
            "os": "linux"
         }
      },
      {
         "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
         "size": 527,
         "digest": "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
         "platform": {
            "architecture": "arm",
            "os": "linux",
            "variant": "v7"
         }
      }
   ]
})";

} // namespace

TEST_CASE("manifest bytes keep the exact served bytes and their digest", "[oci][manifest]") {
  auto raw = ManifestBytes::from(std::string(media_type::k_docker_manifest_list), k_served_list);
  CHECK(raw.bytes == k_served_list);
  CHECK(raw.digest == Digest::of(k_served_list));
  auto index = parse_image_index(raw.bytes, "manifest list");
  REQUIRE(index);
  REQUIRE(index->manifests.size() == 2);
  CHECK(index->family() == MediaFamily::docker);
  CHECK(index->manifests[1].platform->str() == "linux/arm/v7");
  CHECK(index->manifests[0].size == 527);
  // A re-encoding is different bytes, hence a different digest: only the
  // served bytes may be pushed under the served digest.
  auto again = encode_index(*index);
  REQUIRE(again);
  CHECK(again->digest != raw.digest);
  auto reparsed = parse_image_index(again->bytes, "re-encoded");
  REQUIRE(reparsed);
  CHECK(reparsed->manifests == index->manifests);
  CHECK(raw.descriptor().size == static_cast<int64_t>(k_served_list.size()));
}

TEST_CASE("an OCI manifest survives encode and parse with every field", "[oci][manifest]") {
  ImageManifest m;
  m.config = blob(std::string(media_type::k_oci_config), "{\"os\":\"linux\"}");
  m.layers.push_back(blob(std::string(media_type::k_oci_layer_gzip), "layer one"));
  Descriptor l2 = blob(std::string(media_type::k_oci_layer_zstd), "layer two");
  l2.annotations["org.example.note"] = "x";
  l2.urls = {"https://example.com/l2"};
  m.layers.push_back(l2);
  m.annotations["org.opencontainers.image.created"] = "2024-01-01T00:00:00Z";
  m.subject = blob(std::string(media_type::k_oci_manifest), "subject");
  m.artifact_type = "application/vnd.example+type";
  auto raw = encode_manifest(m);
  REQUIRE(raw);
  CHECK(raw->media_type == media_type::k_oci_manifest);
  CHECK(raw->digest == Digest::of(raw->bytes));
  CHECK(raw->bytes.rfind("{\"schemaVersion\":2,\"mediaType\":", 0) == 0);
  auto back = parse_image_manifest(raw->bytes, "manifest");
  REQUIRE(back);
  CHECK(back->config == m.config);
  CHECK(back->layers == m.layers);
  CHECK(back->subject == m.subject);
  CHECK(back->annotations == m.annotations);
  CHECK(back->artifact_type == m.artifact_type);
  // Encoding is deterministic.
  CHECK(encode_manifest(*back)->bytes == raw->bytes);
}

TEST_CASE("a Docker manifest refuses OCI-only fields when encoded", "[oci][manifest]") {
  ImageManifest m;
  m.media_type = std::string(media_type::k_docker_manifest);
  m.config = blob(std::string(media_type::k_docker_config), "{}");
  REQUIRE(encode_manifest(m));
  m.annotations["a"] = "b";
  auto r = encode_manifest(m);
  REQUIRE_FALSE(r);
  CHECK_THAT(r.error().message, Catch::Contains("use the OCI media types"));
}

TEST_CASE("a Docker manifest list is chosen only when every child is Docker-typed",
          "[oci][manifest]") {
  auto docker = child(std::string(media_type::k_docker_manifest), "a", "linux/amd64");
  auto oci = child(std::string(media_type::k_oci_manifest), "b", "linux/arm64");
  CHECK(choose_index_family({docker, docker}) == MediaFamily::docker);
  CHECK(choose_index_family({docker, oci}) == MediaFamily::oci);
  CHECK(choose_index_family({oci}) == MediaFamily::oci);
  CHECK(choose_index_family({}) == MediaFamily::oci);
}

TEST_CASE("the media type of a manifest is detected and checked against Content-Type",
          "[oci][manifest]") {
  CHECK(*detect_manifest_media_type(k_served_list, "", "x") == media_type::k_docker_manifest_list);
  CHECK(*detect_manifest_media_type(
            k_served_list, "application/vnd.docker.distribution.manifest.list.v2+json; q=1", "x") ==
        media_type::k_docker_manifest_list);
  auto mismatch =
      detect_manifest_media_type(k_served_list, std::string(media_type::k_oci_index), "x");
  REQUIRE_FALSE(mismatch);
  CHECK_THAT(mismatch.error().message, Catch::Contains("inconsistent"));
  CHECK(*detect_manifest_media_type(R"({"schemaVersion":2,"manifests":[]})", "", "x") ==
        media_type::k_oci_index);
  CHECK(
      *detect_manifest_media_type(
          R"({"schemaVersion":2,"config":{"mediaType":"a","digest":"sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a","size":2},"layers":[]})",
          "", "x") == media_type::k_oci_manifest);
  auto v1 = detect_manifest_media_type(R"({"schemaVersion":1,"name":"x"})", "", "busybox");
  REQUIRE_FALSE(v1);
  CHECK_THAT(v1.error().message, Catch::Contains("schema 1"));
  auto junk = detect_manifest_media_type("<html>", "", "busybox");
  REQUIRE_FALSE(junk);
  CHECK_THAT(junk.error().message, Catch::Contains("busybox is not valid JSON"));
}

TEST_CASE("malformed manifests name the bad field", "[oci][manifest]") {
  auto bad_digest = parse_image_manifest(
      R"({"schemaVersion":2,"config":{"mediaType":"a","digest":"sha256:12","size":2},"layers":[]})",
      "app:1");
  REQUIRE_FALSE(bad_digest);
  CHECK_THAT(bad_digest.error().message, Catch::Contains("app:1.config.digest"));
  auto bad_size = parse_image_index(
      R"({"schemaVersion":2,"manifests":[{"mediaType":"a","digest":"sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a","size":-1}]})",
      "idx");
  REQUIRE_FALSE(bad_size);
  CHECK_THAT(bad_size.error().message, Catch::Contains("idx.manifests[0].size"));
  auto not_index = parse_image_index(k_served_list.substr(0, 20), "idx");
  CHECK_FALSE(not_index);
}

TEST_CASE("platform selection picks the first best match and skips attestations",
          "[oci][manifest]") {
  ImageIndex index;
  Descriptor att = child(std::string(media_type::k_oci_manifest), "att", "linux/arm64");
  att.annotations["vnd.docker.reference.type"] = "attestation-manifest";
  index.manifests = {
      child(std::string(media_type::k_oci_manifest), "amd64", "linux/amd64"),
      att,
      child(std::string(media_type::k_oci_manifest), "armv6", "linux/arm/v6"),
      child(std::string(media_type::k_oci_manifest), "armv7", "linux/arm/v7"),
      child(std::string(media_type::k_oci_manifest), "arm64", "linux/arm64"),
      child(std::string(media_type::k_oci_manifest), "arm64-second", "linux/arm64/v8"),
  };
  CHECK(select_platform(index, *Platform::parse("linux/arm64")) == 4u);
  CHECK(select_platform(index, *Platform::parse("linux/amd64")) == 0u);
  CHECK_FALSE(select_platform(index, *Platform::parse("linux/s390x")));
  index.manifests.resize(4);
  CHECK_FALSE(select_platform(index, *Platform::parse("linux/arm64")));
  CHECK(select_platform(index, *Platform::parse("linux/arm64"), PlatformMatch::compatible) == 3u);
}

TEST_CASE("numbers too large for any integer are a parse error, not a crash", "[oci][manifest]") {
  // Found by the oci_parsers fuzzer: nlohmann throws out_of_range here.
  auto r = parse_image_index(R"({"schemaVersion":2,"manifests":[],"x":1e99999})", "idx");
  REQUIRE_FALSE(r);
  CHECK_THAT(r.error().message, Catch::Contains("idx is not valid JSON"));
  auto d = detect_manifest_media_type(R"({"schemaVersion":2,"size":77e8310})", "", "m");
  REQUIRE_FALSE(d);
}

TEST_CASE("documents with non-UTF-8 strings still encode", "[oci][manifest]") {
  ImageIndex index;
  index.annotations["note"] = std::string("caf\xe9", 4);
  auto bytes = encode_index(index);
  REQUIRE(bytes);
  CHECK(parse_image_index(bytes->bytes, "re-read"));
}
