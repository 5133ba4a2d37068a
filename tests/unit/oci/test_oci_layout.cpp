#include <catch2/catch.hpp>

#include <archive.h>
#include <archive_entry.h>

#include <cstring>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>

#include "oci/docker_archive.hpp"
#include "oci/image_builder.hpp"
#include "oci/image_walk.hpp"
#include "oci/oci_layout.hpp"
#include "util/fs.hpp"

using namespace xbuild::oci;
using xbuild::Result;
using xbuild::util::TempDir;

namespace {

void write(const fs::path& p, const std::string& content) {
  fs::create_directories(p.parent_path());
  std::ofstream(p, std::ios::binary) << content;
}

// A two-layer image for `platform` in `store`.
StoredImage make_image(ContentStore& store, const fs::path& scratch, const std::string& platform,
                       MediaFamily family = MediaFamily::oci) {
  write(scratch / platform / "l1/etc/os-release", "ID=test\n");
  write(scratch / platform / "l2/bin/hello", "hello " + platform);
  LayerWriteOptions opts;
  opts.fixed_mtime = 0;
  auto l1 = store_layer(store, scratch / platform / "l1", opts, family);
  auto l2 = store_layer(store, scratch / platform / "l2", opts, family);
  REQUIRE(l1);
  REQUIRE(l2);
  ImageConfig config;
  Platform p = *Platform::parse(platform);
  config.os = p.os;
  config.architecture = p.architecture;
  config.variant = p.variant;
  config.config.cmd = std::vector<std::string>{"/bin/hello"};
  auto image = store_image(store, config, {*l1, *l2}, family);
  REQUIRE(image);
  return *image;
}

std::map<std::string, std::string> tar_entries(const std::string& bytes) {
  std::map<std::string, std::string> out;
  struct archive* a = archive_read_new();
  archive_read_support_format_tar(a);
  REQUIRE(archive_read_open_memory(a, bytes.data(), bytes.size()) == ARCHIVE_OK);
  archive_entry* e = nullptr;
  while (archive_read_next_header(a, &e) == ARCHIVE_OK) {
    std::string content(static_cast<size_t>(archive_entry_size(e)), '\0');
    if (!content.empty())
      archive_read_data(a, content.data(), content.size());
    out[archive_entry_pathname(e)] = content;
  }
  archive_read_free(a);
  return out;
}

ReadFn from_string(const std::string& bytes) {
  auto pos = std::make_shared<size_t>(0);
  return [&bytes, pos](void* buf, size_t size) -> Result<size_t> {
    size_t n = std::min(size, bytes.size() - *pos);
    std::memcpy(buf, bytes.data() + *pos, n);
    *pos += n;
    return n;
  };
}

} // namespace

TEST_CASE("an image is stored with diff ids matching its layers", "[oci][image_builder]") {
  TempDir tmp("xbuild-layout");
  auto store = ContentStore::open(tmp.path() / "store");
  REQUIRE(store);
  StoredImage image = make_image(*store, tmp.path() / "src", "linux/arm64");
  auto manifest = parse_image_manifest(*store->get(image.descriptor.digest), "m");
  REQUIRE(manifest);
  auto config = parse_image_config(*store->get(manifest->config.digest), "c");
  REQUIRE(config);
  REQUIRE(config->diff_ids.size() == 2);
  CHECK(image.descriptor.platform->str() == "linux/arm64");
  CHECK(image.manifest.digest == Digest::of(*store->get(image.descriptor.digest)));
  CHECK(referenced_blobs(*store, {image.descriptor})->size() == 4);
}

TEST_CASE("an index is a Docker list only over Docker manifests", "[oci][image_builder]") {
  TempDir tmp("xbuild-layout");
  auto store = ContentStore::open(tmp.path() / "store");
  REQUIRE(store);
  auto d1 = make_image(*store, tmp.path() / "d", "linux/amd64", MediaFamily::docker);
  auto d2 = make_image(*store, tmp.path() / "d", "linux/arm64", MediaFamily::docker);
  auto o1 = make_image(*store, tmp.path() / "o", "linux/arm/v7", MediaFamily::oci);
  CHECK(store_index(*store, {d1.descriptor, d2.descriptor})->media_type ==
        media_type::k_docker_manifest_list);
  CHECK(store_index(*store, {d1.descriptor, o1.descriptor})->media_type == media_type::k_oci_index);
  auto resolved = resolve_image_manifest(
      *store, store_index(*store, {d1.descriptor, d2.descriptor})->descriptor(),
      *Platform::parse("linux/arm64"), "test image");
  REQUIRE(resolved);
  CHECK(resolved->digest == d2.descriptor.digest);
  auto missing = resolve_image_manifest(
      *store, store_index(*store, {d1.descriptor, d2.descriptor})->descriptor(),
      *Platform::parse("linux/s390x"), "test image");
  REQUIRE_FALSE(missing);
  CHECK_THAT(missing.error().message,
             Catch::Contains("no image for platform linux/s390x (available: linux/amd64, "
                             "linux/arm64)"));
}

TEST_CASE("an OCI layout directory holds index.json, oci-layout and every blob",
          "[oci][oci_layout]") {
  TempDir tmp("xbuild-layout");
  auto store = ContentStore::open(tmp.path() / "store");
  REQUIRE(store);
  auto amd = make_image(*store, tmp.path() / "src", "linux/amd64");
  auto arm = make_image(*store, tmp.path() / "src", "linux/arm64");
  auto index = store_index(*store, {amd.descriptor, arm.descriptor});
  REQUIRE(index);
  fs::path out = tmp.path() / "layout";
  auto ref = Reference::parse("localhost:5000/app:v1");
  REQUIRE(ref);
  auto index_json = write_oci_layout_dir(*store, {{index->descriptor(), *ref}}, out);
  REQUIRE(index_json);
  CHECK(*xbuild::util::read_file(out / "oci-layout") == "{\"imageLayoutVersion\":\"1.0.0\"}");
  CHECK(*xbuild::util::read_file(out / "index.json") == index_json->bytes);
  // index + 2 manifests + 2 configs + layers (the os-release layer is shared).
  size_t blobs = 0;
  for ([[maybe_unused]] auto& e : fs::directory_iterator(out / "blobs/sha256"))
    ++blobs;
  CHECK(blobs == 1 + 2 + 2 + 3);
  CHECK_FALSE(fs::exists(out / "ingest"));

  auto layout = open_oci_layout(out);
  REQUIRE(layout);
  auto found = layout->find("v1");
  REQUIRE(found);
  CHECK(found->digest == index->digest);
  CHECK(layout->find("localhost:5000/app:v1")->digest == index->digest);
  auto nope = layout->find("v2");
  REQUIRE_FALSE(nope);
  CHECK_THAT(nope.error().message, Catch::Contains("no image named \"v2\" (names: v1)"));
  CHECK(*layout->read_blob(index->digest) == index->bytes);

  SECTION("a second write with another tag adds to the index; the same tag replaces") {
    auto v2 = write_oci_layout_dir(*store, {{amd.descriptor, ref->with_tag("v2")}}, out);
    REQUIRE(v2);
    CHECK(open_oci_layout(out)->index.manifests.size() == 2);
    auto again = write_oci_layout_dir(*store, {{arm.descriptor, ref->with_tag("v2")}}, out);
    REQUIRE(again);
    auto reopened = open_oci_layout(out);
    REQUIRE(reopened->index.manifests.size() == 2);
    CHECK(reopened->find("v2")->digest == arm.descriptor.digest);
  }

  SECTION("importing the layout into a fresh store verifies and copies every blob") {
    auto fresh = ContentStore::open(tmp.path() / "fresh");
    REQUIRE(fresh);
    auto imported = import_oci_layout(out, *fresh);
    REQUIRE(imported);
    CHECK(imported->bytes == index_json->bytes);
    CHECK(fresh->usage().blob_count == 8);
  }

  SECTION("a corrupted blob in the layout is refused on import") {
    fs::path victim = out / "blobs/sha256" / amd.config.digest.encoded;
    write(victim, "{\"tampered\":true}");
    auto fresh = ContentStore::open(tmp.path() / "fresh2");
    auto imported = import_oci_layout(out, *fresh);
    REQUIRE_FALSE(imported);
    CHECK_THAT(imported.error().message, Catch::Contains(amd.config.digest.str()));
    CHECK_FALSE(fresh->exists(amd.config.digest));
    // The layout is a copy: editing it leaves the store intact.
    CHECK(store->get(amd.config.digest));
  }
}

TEST_CASE("an OCI layout tarball round-trips through import", "[oci][oci_layout]") {
  TempDir tmp("xbuild-layout");
  auto store = ContentStore::open(tmp.path() / "store");
  REQUIRE(store);
  auto amd = make_image(*store, tmp.path() / "src", "linux/amd64");
  std::string tar;
  WriteFn sink = [&](const void* d, size_t n) -> Result<void> {
    tar.append(static_cast<const char*>(d), n);
    return {};
  };
  auto ref = Reference::parse("app:latest");
  auto index_json = write_oci_layout_tar(*store, {{amd.descriptor, *ref}}, sink);
  REQUIRE(index_json);
  auto entries = tar_entries(tar);
  CHECK(entries.at("index.json") == index_json->bytes);
  CHECK(entries.count("oci-layout") == 1);
  CHECK(entries.count("blobs/sha256/" + amd.descriptor.digest.encoded) == 1);
  auto idx = parse_image_index(index_json->bytes, "index.json");
  REQUIRE(idx);
  CHECK(idx->manifests[0].annotations.at("org.opencontainers.image.ref.name") == "latest");
  CHECK(idx->manifests[0].annotations.at("io.containerd.image.name") ==
        "docker.io/library/app:latest");

  auto fresh = ContentStore::open(tmp.path() / "fresh");
  auto imported = import_oci_archive(from_string(tar), *fresh, "app.tar");
  REQUIRE(imported);
  CHECK(imported->bytes == index_json->bytes);
  CHECK(fresh->list() == store->list());

  std::string truncated = tar.substr(0, 1024);
  auto bad = import_oci_archive(from_string(truncated), *fresh, "cut.tar");
  REQUIRE_FALSE(bad);
  CHECK_THAT(bad.error().message, Catch::Contains("cut.tar"));
}

TEST_CASE("a docker archive has manifest.json, repositories and the blobs it names",
          "[oci][docker_archive]") {
  TempDir tmp("xbuild-layout");
  auto store = ContentStore::open(tmp.path() / "store");
  REQUIRE(store);
  auto img = make_image(*store, tmp.path() / "src", "linux/amd64", MediaFamily::docker);
  std::string tar;
  WriteFn sink = [&](const void* d, size_t n) -> Result<void> {
    tar.append(static_cast<const char*>(d), n);
    return {};
  };
  auto r = write_docker_archive(
      *store, {{img.descriptor, {*Reference::parse("busybox:1"), *Reference::parse("me/x:2")}}},
      sink);
  REQUIRE(r);
  auto entries = tar_entries(tar);
  auto manifest = nlohmann::json::parse(entries.at("manifest.json"));
  REQUIRE(manifest.size() == 1);
  CHECK(manifest[0]["RepoTags"] == nlohmann::json({"busybox:1", "me/x:2"}));
  std::string config_path = manifest[0]["Config"];
  CHECK(Digest::of(entries.at(config_path)) == img.config.digest);
  REQUIRE(manifest[0]["Layers"].size() == 2);
  for (auto& l : manifest[0]["Layers"])
    CHECK(entries.count(l.get<std::string>()) == 1);
  auto repos = nlohmann::json::parse(entries.at("repositories"));
  CHECK(repos["busybox"]["1"] == img.config.digest.encoded);
  CHECK(repos["me/x"]["2"] == img.config.digest.encoded);
  CHECK(entries.count("oci-layout") == 1);

  auto index = store_index(*store, {img.descriptor});
  auto refused = write_docker_archive(*store, {{index->descriptor(), {}}}, sink);
  REQUIRE_FALSE(refused);
  CHECK_THAT(refused.error().message, Catch::Contains("pick a platform first"));
}
