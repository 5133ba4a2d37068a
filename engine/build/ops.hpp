#pragma once
// The solver ops of the embedded engine. Each produces a ref: the chain id
// of a layer stack in EngineState (see state.hpp).
//  - LayerOp: one layer of a base image: recorded, extracted only when a
//    step runs on it (EngineState::ensure_snapshot through prepare_inputs).
//  - ExecOp: a RUN step in the sandbox; its diff becomes a layer.
//  - CopyOp: COPY/ADD from the context or another stage; its diff becomes a layer.
//  - MkdirOp: WORKDIR's directory.
// A step that changes nothing yields its input ref unchanged (no empty layer).

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "engine/build/state.hpp"
#include "engine/dockerfile/dockerignore.hpp"
#include "engine/dockerfile/instructions.hpp"
#include "engine/exec/sandbox.hpp"
#include "engine/solver/graph.hpp"
#include "oci/layer_tar.hpp"

namespace xbuild::engine::build {

// What every op of one build shares. Secrets live here, never in an op's
// definition, so they cannot reach a cache key, a log or the history.
struct OpEnv {
  EngineState* state = nullptr;
  std::filesystem::path context_dir;
  std::shared_ptr<const dockerfile::IgnoreMatcher> ignore;
  std::map<std::string, std::string> secret_files; // id → host file
  oci::LayerWriteOptions layer_options;
};

// Ops that work on their inputs' root filesystems extract lazy layers below
// them first (the prepare_inputs of StepOp and MkdirOp).
Result<void> ensure_input_snapshots(const OpEnv& env, const std::vector<solver::Ref>& inputs);

struct ResolvedImage;
// Before a build uses `image`'s layers: a record of the same stack made from
// another blob (same diff ids, another compression) that can no longer be
// had is pointed at this image's blob, which this build can fetch. A cached
// LayerOp does not run, so this cannot wait for LayerOp::run.
Result<void> adopt_image_layers(EngineState& state, const ResolvedImage& image);

class LayerOp : public solver::Op {
public:
  LayerOp(std::shared_ptr<const OpEnv> env, oci::Descriptor blob, oci::Digest diff_id,
          std::string image, size_t index, size_t count);
  std::string definition() const override;
  std::string display_name() const override;
  Result<solver::Ref> run(const std::vector<solver::Ref>& inputs,
                          const solver::RunContext& ctx) const override;

private:
  std::shared_ptr<const OpEnv> m_env;
  oci::Descriptor m_blob;
  oci::Digest m_diff_id;
  std::string m_image;
  size_t m_index, m_count;
};

// A RUN --mount as the op sees it.
struct RunMount {
  dockerfile::Mount spec;
  int input = -1; // op input index holding `from` (a stage); -1: the context
};

struct ExecDef {
  std::vector<std::string> argv;
  std::vector<std::string> env;       // in the cache key
  std::vector<std::string> proxy_env; // passed, not in the key
  std::string cwd = "/";
  std::string user;
  std::string network = "default";
  std::string platform;
  std::vector<RunMount> mounts;
};

// What ExecOp and CopyOp share: a step of a Dockerfile stage, shown under
// its instruction's name, that --no-cache-filter can exclude from the cache.
class StepOp : public solver::Op {
public:
  StepOp(std::shared_ptr<const OpEnv> env, std::string name, bool cacheable)
      : m_env(std::move(env)), m_name(std::move(name)), m_cacheable(cacheable) {}
  std::string display_name() const override { return m_name; }
  bool cacheable() const override { return m_cacheable; }
  Result<void> prepare_inputs(const std::vector<solver::Ref>& inputs,
                              const solver::RunContext&) const override {
    return ensure_input_snapshots(*m_env, inputs);
  }
  // Two builds' steps are only the same work when they read the same
  // context; the cache key itself stays content-based.
  std::string identity() const override;

protected:
  std::shared_ptr<const OpEnv> m_env;

private:
  std::string m_name;
  bool m_cacheable;
};

class ExecOp : public StepOp {
public:
  ExecOp(std::shared_ptr<const OpEnv> env, ExecDef def, std::string name, bool cacheable)
      : StepOp(std::move(env), std::move(name), cacheable), m_def(std::move(def)) {}
  std::string definition() const override;
  std::string identity() const override;
  Result<std::string> content_key(const std::vector<solver::Ref>& inputs,
                                  const solver::RunContext& ctx) const override;
  Result<solver::Ref> run(const std::vector<solver::Ref>& inputs,
                          const solver::RunContext& ctx) const override;

private:
  ExecDef m_def;
};

struct CopyDef {
  std::vector<std::string> sources;
  std::string dest;        // absolute in the image
  bool from_input = false; // sources come from input 1 (a stage) instead of the context
  std::string chown, chmod;
  std::vector<std::string> excludes; // COPY --exclude
  bool unpack_archives = false; // ADD of a local tar
  std::string platform;
  // Heredoc sources: name → content (COPY <<EOF).
  std::map<std::string, std::string> inline_files;
};

class CopyOp : public StepOp {
public:
  CopyOp(std::shared_ptr<const OpEnv> env, CopyDef def, std::string name, bool cacheable)
      : StepOp(std::move(env), std::move(name), cacheable), m_def(std::move(def)) {}
  std::string definition() const override;
  Result<std::string> content_key(const std::vector<solver::Ref>& inputs,
                                  const solver::RunContext& ctx) const override;
  Result<solver::Ref> run(const std::vector<solver::Ref>& inputs,
                          const solver::RunContext& ctx) const override;

private:
  CopyDef m_def;
};

class MkdirOp : public solver::Op {
public:
  MkdirOp(std::shared_ptr<const OpEnv> env, std::string path, std::string user,
          std::string platform, std::string name);
  std::string definition() const override;
  std::string display_name() const override { return m_name; }
  Result<void> prepare_inputs(const std::vector<solver::Ref>& inputs,
                              const solver::RunContext&) const override {
    return ensure_input_snapshots(*m_env, inputs);
  }
  Result<solver::Ref> run(const std::vector<solver::Ref>& inputs,
                          const solver::RunContext& ctx) const override;

private:
  std::shared_ptr<const OpEnv> m_env;
  std::string m_path, m_user, m_platform, m_name;
};

// Turns what changed in `active` (on top of `parent`) into a stored layer
// and a committed snapshot; returns the new ref, or `parent` when nothing
// changed.
Result<std::string> commit_layer(const OpEnv& env, snapshot::Active&& active,
                                 const std::string& parent);

} // namespace xbuild::engine::build
