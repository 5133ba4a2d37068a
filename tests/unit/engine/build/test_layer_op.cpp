#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <thread>

#include "engine/build/image_source.hpp"
#include "engine/build/ops.hpp"
#include "engine/progress.hpp"
#include "oci/layer_tar.hpp"
#include "util/fs.hpp"

using namespace xbuild;
using namespace xbuild::engine;
using namespace xbuild::engine::build;

namespace {

// A registry stand-in: serves blobs from its own store, counts downloads and
// takes a while, so that concurrent callers really overlap.
class FakeFetcher : public BlobFetcher {
public:
  explicit FakeFetcher(oci::ContentStore& remote) : m_remote(remote) {}
  Result<void> fetch(const oci::Descriptor& blob, oci::ContentStore& store,
                     const std::function<void(int64_t)>& on_bytes) override {
    ++fetches;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    auto bytes = TRY(m_remote.get(blob.digest));
    TRY(store.put(bytes, blob.digest));
    on_bytes(static_cast<int64_t>(bytes.size()));
    return {};
  }
  std::atomic<int> fetches{0};

private:
  oci::ContentStore& m_remote;
};

struct LazyFixture {
  util::TempDir dir{"xbuild-lazy-test"};
  std::unique_ptr<EngineState> state = EngineState::open(dir.path() / "state").value();
  oci::ContentStore remote = oci::ContentStore::open(dir.path() / "remote").value();
  std::shared_ptr<FakeFetcher> fetcher = std::make_shared<FakeFetcher>(remote);
  RecordingSink progress;
  std::shared_ptr<OpEnv> env = std::make_shared<OpEnv>();

  LazyFixture() {
    env->state = state.get();
    state->set_progress(&progress);
  }

  // A one-file layer in the "registry", noted as a lazy origin.
  oci::StoredLayer remote_layer(const std::string& file, const std::string& content) {
    auto tree = dir.path() / ("tree-" + file);
    std::filesystem::create_directories(tree);
    REQUIRE(util::write_file_atomic(tree / file, content, 0644));
    auto stored = oci::store_layer(remote, tree, {}).value();
    state->origins().add(stored.descriptor.digest,
                         {fetcher, "reg.example", "base/img", "layer of reg.example/base/img"});
    return stored;
  }

  std::string run_layer_op(const oci::StoredLayer& l, const std::string& parent = "") {
    LayerOp op(env, l.descriptor, l.info.diff_id, "reg.example/base/img", 0, 1);
    solver::RunContext ctx("v", nullptr, nullptr);
    std::vector<solver::Ref> inputs;
    if (!parent.empty())
      inputs.push_back({parent});
    auto ref = op.run(inputs, ctx);
    REQUIRE(ref);
    return ref->id;
  }

  size_t started(const std::string& prefix) {
    size_t n = 0;
    for (const auto& e : progress.vertices)
      if (e.name.starts_with(prefix) && !e.completed)
        ++n;
    return n;
  }
};

} // namespace

TEST_CASE("a base-image layer is recorded without downloading it until a step needs its rootfs",
          "[engine][build][lazy]") {
  LazyFixture f;
  auto l1 = f.remote_layer("one", "1");
  auto l2 = f.remote_layer("two", "2");
  auto r1 = f.run_layer_op(l1);
  auto r2 = f.run_layer_op(l2, r1);
  CHECK(r1 == l1.info.diff_id.str());
  CHECK(r2 == chain_id(r1, l2.info.diff_id));
  CHECK(f.fetcher->fetches == 0);
  CHECK_FALSE(f.state->content().exists(l1.descriptor.digest));
  CHECK_FALSE(f.state->snapshots().exists(r2));
  // The records are what the exporter builds manifests from.
  auto stack = f.state->stack(r2).value();
  REQUIRE(stack.size() == 2);
  CHECK(stack[0].blob.digest == l1.descriptor.digest);
  CHECK(stack[1].from_image);

  // A step on top of it (prepare_inputs) extracts the whole stack, bottom up.
  REQUIRE(ensure_input_snapshots(*f.env, {solver::Ref{r2}}));
  CHECK(f.fetcher->fetches == 2);
  CHECK(f.state->snapshots().exists(r1));
  auto view = f.state->snapshots().view(r2).value();
  CHECK(util::read_file(view.root() / "one").value() == "1");
  CHECK(util::read_file(view.root() / "two").value() == "2");
  CHECK(f.started("[internal] pull layer of reg.example/base/img") == 2);
  CHECK(f.started("[internal] extract layer of reg.example/base/img") == 2);
  // Byte progress of each download ends with a completed status.
  size_t done = 0;
  for (const auto& st : f.progress.statuses)
    if (st.completed && st.id == l1.descriptor.digest.str() && st.current == l1.descriptor.size &&
        st.total == l1.descriptor.size)
      ++done;
  CHECK(done == 1);

  // Extracted once: asking again does nothing.
  REQUIRE(f.state->ensure_snapshot(r2));
  CHECK(f.fetcher->fetches == 2);
  CHECK(f.started("[internal] extract") == 2);
}

TEST_CASE("steps that need the same lazy layer at once download and extract it once",
          "[engine][build][lazy]") {
  LazyFixture f;
  auto l = f.remote_layer("shared", "s");
  auto ref = f.run_layer_op(l);
  std::vector<std::thread> threads;
  std::atomic<int> ok{0};
  for (int i = 0; i < 4; ++i)
    threads.emplace_back([&] {
      if (f.state->ensure_snapshot(ref))
        ++ok;
    });
  for (auto& t : threads)
    t.join();
  CHECK(ok == 4);
  CHECK(f.fetcher->fetches == 1);
  CHECK(f.started("[internal] extract") == 1);
  CHECK(f.state->snapshots().exists(ref));
}

TEST_CASE("an output's blob is downloaded on demand, once; without an origin it is an error",
          "[engine][build][lazy]") {
  LazyFixture f;
  auto l = f.remote_layer("file", "x");
  REQUIRE(f.state->ensure_blob(l.descriptor));
  REQUIRE(f.state->ensure_blob(l.descriptor));
  CHECK(f.fetcher->fetches == 1);
  CHECK(f.state->content().exists(l.descriptor.digest));

  oci::Descriptor unknown = l.descriptor;
  unknown.digest = oci::Digest::parse("sha256:" + std::string(64, 'a'), "test").value();
  auto missing = f.state->ensure_blob(unknown);
  REQUIRE_FALSE(missing);
  CHECK(missing.error().message.find("no registry is known") != std::string::npos);
}

TEST_CASE("a failed download fails the step that needed it and names the layer",
          "[engine][build][lazy]") {
  LazyFixture f;
  auto l = f.remote_layer("gone", "g");
  auto ref = f.run_layer_op(l);
  REQUIRE(f.remote.remove(l.descriptor.digest));
  auto r = f.state->ensure_snapshot(ref);
  REQUIRE_FALSE(r);
  CHECK(r.error().message.find("cannot fetch layer of reg.example/base/img") != std::string::npos);
  CHECK_FALSE(f.state->snapshots().exists(ref));
}

TEST_CASE("a layer record whose blob can no longer be had is replaced by the image's own",
          "[engine][build][lazy]") {
  LazyFixture f;
  auto l = f.remote_layer("f", "f");
  // An earlier build recorded the same diff id with a blob that is gone.
  oci::Descriptor stale = l.descriptor;
  stale.digest = oci::Digest::parse("sha256:" + std::string(64, 'b'), "test").value();
  std::string ref = l.info.diff_id.str();
  REQUIRE(f.state->put_layer({ref, "", stale, l.info.diff_id, 0, true}));
  f.run_layer_op(l);
  CHECK(f.state->layer(ref).value()->blob.digest == l.descriptor.digest);
}

TEST_CASE("resolving an image repoints cached records of its stack whose blob is gone",
          "[engine][build][lazy]") {
  // A LayerOp that hits the cache does not run, so the records are fixed
  // when the image is used (adopt_image_layers), before the solve.
  LazyFixture f;
  auto l1 = f.remote_layer("a", "a");
  auto l2 = f.remote_layer("b", "b");
  ResolvedImage img;
  img.name = "reg.example/base/img";
  img.layers = {l1.descriptor, l2.descriptor};
  img.config.diff_ids = {l1.info.diff_id, l2.info.diff_id};
  std::string r1 = chain_id("", l1.info.diff_id), r2 = chain_id(r1, l2.info.diff_id);

  // Another image with the same diff ids: l1's twin blob is stored, l2's is gone.
  oci::Descriptor stored = l1.descriptor;
  stored.digest = f.state->content().put("twin of a").value();
  oci::Descriptor gone = l2.descriptor;
  gone.digest = oci::Digest::parse("sha256:" + std::string(64, 'f'), "test").value();
  REQUIRE(f.state->put_layer({r1, "", stored, l1.info.diff_id, 0, true}));
  REQUIRE(f.state->put_layer({r2, r1, gone, l2.info.diff_id, 0, true}));

  REQUIRE(adopt_image_layers(*f.state, img));
  CHECK(f.state->layer(r1).value()->blob.digest == stored.digest); // still usable: kept
  CHECK(f.state->layer(r2).value()->blob.digest == l2.descriptor.digest);
  CHECK(f.fetcher->fetches == 0);
}
