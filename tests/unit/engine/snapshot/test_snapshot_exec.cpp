// The snapshot and the sandbox together, as the solver will use them: a RUN
// in an active overlay snapshot changes exactly what the command changed.

#include <catch2/catch.hpp>

#include "engine/exec/sandbox.hpp"
#include "engine/snapshot/snapshotter.hpp"
#include "tests/unit/engine/exec/rootfs_fixture.hpp"
#include "util/fs.hpp"

using namespace xbuild;
namespace fs = std::filesystem;
namespace snapshot = xbuild::engine::snapshot;
namespace exec = xbuild::engine::exec;

TEST_CASE("a RUN in a snapshot yields a diff of only what the command changed",
          "[engine][snapshot][exec][sandbox]") {
  XBUILD_REQUIRE_SANDBOX();
  test::BusyboxRootfs base_tree;
  util::TempDir state("xbuild-snap");
  for (auto choice : {snapshot::BackendChoice::overlay, snapshot::BackendChoice::copy}) {
    util::TempDir sub("xbuild-snap-state");
    auto snap = snapshot::Snapshotter::open(sub.path(), choice);
    XBUILD_REQUIRE_OK(snap);
    auto& s = **snap;
    INFO("backend " << (s.backend() == snapshot::Backend::overlay ? "overlay" : "copy"));
    {
      auto base = s.prepare("");
      XBUILD_REQUIRE_OK(base);
      fs::copy(base_tree.path(), base->root(),
               fs::copy_options::recursive | fs::copy_options::copy_symlinks);
      fs::permissions(base->root(), fs::perms(0755));
      XBUILD_REQUIRE_OK(s.commit(std::move(*base), "busybox"));
    }
    auto step = s.prepare("busybox");
    XBUILD_REQUIRE_OK(step);
    exec::ExecSpec spec;
    spec.rootfs = step->root();
    spec.argv = {"/bin/sh", "-c", "mkdir -p /app && echo hi > /app/out && rm /bin/wc"};
    spec.cwd = "/root";
    util::CancelSource cancel;
    XBUILD_REQUIRE_OK(exec::run(spec, nullptr, cancel));
    auto diff = s.diff(*step);
    XBUILD_REQUIRE_OK(diff);
    // No /proc, /dev, /sys or /etc/hosts stubs: only the command's work.
    CHECK(snapshot::dump(*diff) == "A app\nA app/out\nM bin\nD bin/wc\n");
    XBUILD_REQUIRE_OK(s.commit(std::move(*step), "step1"));
    auto next = s.view("step1");
    XBUILD_REQUIRE_OK(next);
    CHECK(util::read_file(next->root() / "app/out").value_or("") == "hi\n");
    CHECK_FALSE(fs::exists(fs::symlink_status(next->root() / "bin/wc")));
  }
}
