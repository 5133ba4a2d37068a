// Pushes the image of an OCI layout to a registry with the product's own
// registry client — the same code `build --push` and `imagetools create`
// use — and prints what it did. Driven by bench/push.sh, which compares it
// with `skopeo copy` of the same layout.
//
//   xbuild_bench_push LAYOUT_DIR REFERENCE
//
// The layout's blobs/sha256 tree is read in place as a content store.

#include <chrono>
#include <cstdio>

#include <nlohmann/json.hpp>

#include "oci/content_store.hpp"
#include "oci/registry/imagetools.hpp"
#include "oci/registry/push.hpp"
#include "util/fs.hpp"

using namespace xbuild;
using namespace xbuild::oci;

namespace {

Result<int> run(const std::string& layout, const std::string& reference) {
  auto ref = TRY(Reference::parse(reference));
  auto index_text = TRY(util::read_file(std::filesystem::path(layout) / "index.json"));
  auto index = TRY(parse_image_index(index_text, layout + "/index.json"));
  if (index.manifests.empty())
    return fail(layout + "/index.json lists no image");
  auto store = TRY(ContentStore::open(layout));
  const auto& top = index.manifests[0];
  auto root = ManifestBytes::from(top.media_type, TRY(store.get(top.digest)));
  auto plan =
      TRY(registry::plan_push(root, [&](const Descriptor& d) { return store.get(d.digest); }));

  auto config_dir = std::getenv("DOCKER_CONFIG") ? std::string(std::getenv("DOCKER_CONFIG"))
                                                 : util::home_dir() + "/.docker";
  auto session = TRY(registry::open_registry_session(config_dir, nullptr));
  registry::ContentStoreBlobs blobs(store);
  registry::PushOptions options;
  options.tags = {ref.tag.empty() ? ref.digest.str() : ref.tag};
  auto start = std::chrono::steady_clock::now();
  auto stats =
      TRY(registry::push_plan(*session.client, registry::Repo::of(ref), plan, blobs, options));
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("pushed %s@%s in %.3f s: %d uploaded (%lld bytes), %d mounted, %d present\n",
              ref.str().c_str(), root.digest.str().c_str(), secs, stats.uploaded,
              static_cast<long long>(stats.bytes_uploaded), stats.mounted, stats.existed);
  return 0;
}

} // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: %s LAYOUT_DIR REFERENCE\n", argv[0]);
    return 2;
  }
  auto r = run(argv[1], argv[2]);
  if (!r) {
    std::fprintf(stderr, "ERROR: %s\n", r.error().message.c_str());
    return r.error().exit_code;
  }
  return *r;
}
