#include "engine/snapshot/layer.hpp"

#include <cstdlib>

#include "engine/snapshot/fs_ops.hpp"

namespace xbuild::engine::snapshot {
namespace fs = std::filesystem;

Result<oci::LayerInfo> write_diff_layer(const Snapshotter& snapshots, const Active& active,
                                        const oci::WriteFn& sink, oci::LayerWriteOptions options) {
  auto changes = TRY(snapshots.diff(active));
  // Staging next to the snapshots keeps hard links possible (no copying).
  fs::path base = snapshots.root() / "staging";
  std::error_code ec;
  fs::create_directories(base, ec);
  std::string tmpl = (base / (active.id() + "-XXXXXX")).string();
  if (!::mkdtemp(tmpl.data()))
    return fail("cannot create a staging directory in " + base.string());
  fs::path staging = tmpl;
  struct Cleanup {
    fs::path dir;
    ~Cleanup() { (void)remove_tree(dir); }
  } cleanup{staging};
  TRY_VOID(stage_changes(changes, snapshots.changes_root(active), staging / "layer"));
  options.whiteouts = deleted_paths(changes);
  options.opaque_dirs = opaque_dirs(changes);
  return oci::write_layer(staging / "layer", sink, options);
}

Result<oci::ExtractStats> apply_layer(const Active& active, const fs::path& tar) {
  return oci::extract_layer_file(tar, active.root(), oci::ExtractOptions{});
}

} // namespace xbuild::engine::snapshot
