#pragma once
// Between snapshots and layer tars: the diff of an active snapshot written
// as an OCI layer, and a layer tar applied to an active snapshot. These are
// the two calls the solver makes around every RUN/COPY and every base-image
// layer.

#include <filesystem>

#include "engine/snapshot/snapshotter.hpp"
#include "oci/layer_tar.hpp"

namespace xbuild::engine::snapshot {

// Stages the changes of `active` (hard links, on the snapshot filesystem)
// and writes them as a layer tar to `sink`: deletions become ".wh.<name>"
// entries and opaque directories ".wh..wh..opq". `options.whiteouts` and
// `options.opaque_dirs` are filled in from the diff.
Result<oci::LayerInfo> write_diff_layer(const Snapshotter& snapshots, const Active& active,
                                        const oci::WriteFn& sink,
                                        oci::LayerWriteOptions options = {});

// Extracts the layer tar `tar` into `active` (whiteouts become deletions,
// which overlay records as its own whiteouts).
Result<oci::ExtractStats> apply_layer(const Active& active, const std::filesystem::path& tar);

} // namespace xbuild::engine::snapshot
