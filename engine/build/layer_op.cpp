// Base-image layers, pulled lazily.
//
// A LayerOp does not extract anything: it records the layer (its chain id,
// parent, blob and diff id) and returns the chain id as its ref. The blob
// may not even be in the content store yet: resolving the image fetched only
// its manifest and config, and noted where each blob can be fetched from
// (EngineState::origins). What needs the bytes asks for them:
//  - a step that runs on the layer's root filesystem (RUN, COPY, WORKDIR,
//    COPY --from, RUN --mount from=) calls ensure_input_snapshots() before it
//    runs, which extracts the stack bottom up (EngineState::ensure_snapshot),
//    downloading what is missing;
//  - outputs that contain layers (oci, docker, --load, local, tar) and pushes
//    that can neither find nor mount a blob fetch it through ensure_blob.
// So a build whose steps are all cached, or whose Dockerfile only changes
// metadata and is pushed next to its base, downloads no layer at all.

#include "engine/build/ops.hpp"

#include "engine/build/image_source.hpp"

namespace xbuild::engine::build {

Result<void> ensure_input_snapshots(const OpEnv& env, const std::vector<solver::Ref>& inputs) {
  for (const auto& in : inputs)
    TRY_VOID(env.state->ensure_snapshot(in.id));
  return {};
}

namespace {

// A record's blob can still be had: stored, or fetchable in this build.
bool blob_available(EngineState& state, const oci::Digest& blob) {
  return state.content().exists(blob) || !state.origins().find(blob).empty();
}

} // namespace

Result<void> adopt_image_layers(EngineState& state, const ResolvedImage& image) {
  std::string parent;
  for (size_t i = 0; i < image.layers.size() && i < image.config.diff_ids.size(); ++i) {
    const auto& diff_id = image.config.diff_ids[i];
    std::string ref = chain_id(parent, diff_id);
    auto existing = TRY(state.layer(ref));
    if (existing && existing->blob.digest != image.layers[i].digest &&
        !blob_available(state, existing->blob.digest))
      TRY_VOID(state.put_layer({ref, parent, image.layers[i], diff_id, 0, true}));
    parent = ref;
  }
  return {};
}

LayerOp::LayerOp(std::shared_ptr<const OpEnv> env, oci::Descriptor blob, oci::Digest diff_id,
                 std::string image, size_t index, size_t count)
    : m_env(std::move(env)), m_blob(std::move(blob)), m_diff_id(std::move(diff_id)),
      m_image(std::move(image)), m_index(index), m_count(count) {}

std::string LayerOp::definition() const { return "layer " + m_diff_id.str(); }

std::string LayerOp::display_name() const {
  return "[internal] layer " + std::to_string(m_index + 1) + "/" + std::to_string(m_count) +
         " of " + m_image;
}

Result<solver::Ref> LayerOp::run(const std::vector<solver::Ref>& inputs,
                                 const solver::RunContext&) const {
  std::string parent = inputs.empty() ? "" : inputs[0].id;
  std::string name = chain_id(parent, m_diff_id);
  EngineState& state = *m_env->state;
  // A record made earlier (same diff ids, maybe another image's blob) is
  // kept while its blob can still be had: stored or fetchable. Otherwise
  // this image's blob, which this build can fetch, replaces it.
  if (auto existing = TRY(state.layer(name));
      existing && blob_available(state, existing->blob.digest))
    return solver::Ref{name};
  TRY_VOID(state.put_layer({name, parent, m_blob, m_diff_id, 0, true}));
  return solver::Ref{name};
}

} // namespace xbuild::engine::build
