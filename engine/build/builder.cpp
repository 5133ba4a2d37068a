#include "engine/build/builder.hpp"

#include "engine/build/converter.hpp"
#include "engine/build/image_source.hpp"
#include "engine/dockerfile/dockerignore.hpp"
#include "engine/exec/emulation.hpp"
#include "engine/progress.hpp"
#include "engine/solver/scheduler.hpp"
#include "util/fs.hpp"

namespace xbuild::engine::build {
namespace {

Result<std::shared_ptr<const dockerfile::IgnoreMatcher>> load_ignore(const BuildRequest& req) {
  if (req.context_dir.empty())
    return std::shared_ptr<const dockerfile::IgnoreMatcher>();
  auto file = dockerfile::find_ignore_file(req.context_dir, req.dockerfile_path);
  if (!file)
    return std::shared_ptr<const dockerfile::IgnoreMatcher>();
  auto text = TRY(util::read_file(*file));
  auto matcher = TRY(dockerfile::IgnoreMatcher::compile(dockerfile::read_ignore_patterns(text)));
  return std::make_shared<const dockerfile::IgnoreMatcher>(std::move(matcher));
}

// Foreign platforms need binfmt_misc emulation: check before any work.
Result<void> check_platforms(const BuildRequest& req) {
  for (const auto& p : req.platforms)
    TRY(exec::check_emulation(p));
  return {};
}

Result<std::shared_ptr<OpEnv>> op_env(const BuildRequest& request, const BuildContext& ctx) {
  auto env = std::make_shared<OpEnv>();
  env->state = ctx.state;
  env->context_dir = request.context_dir;
  env->ignore = TRY(load_ignore(request));
  env->secret_files = request.secrets;
  env->layer_options.compression = request.compression;
  env->layer_options.level = request.compression_level;
  if (request.source_date_epoch)
    env->layer_options.fixed_mtime = *request.source_date_epoch;
  return env;
}

PlatformImage finish_platform(const PlatformPlan& pp,
                              const std::map<const solver::Vertex*, std::string>& refs) {
  PlatformImage img{pp.platform, pp.root ? refs.at(pp.root) : "", pp.config};
  for (const auto& h : pp.history) {
    oci::HistoryEntry e = h.entry;
    std::string before = h.before ? refs.at(h.before) : "";
    std::string after = h.after ? refs.at(h.after) : "";
    e.empty_layer = e.empty_layer || before == after;
    img.config.history.push_back(e);
  }
  return img;
}

} // namespace

Result<std::vector<BuildOutcome>> run_builds(const std::vector<BuildRequest>& requests,
                                             const BuildContext& ctx) {
  for (const auto& r : requests)
    TRY_VOID(check_platforms(r));
  // Credentials and insecure-registry settings are those of the first
  // request: one user, one docker config per run.
  auto images = make_registry_image_source(
      ctx.state->content(), requests.empty() ? std::filesystem::path() : requests[0].docker_config_dir,
      ctx.cancel);
  Plan plan;
  for (size_t i = 0; i < requests.size(); ++i)
    TRY_VOID(plan_build(plan, i, requests[i], TRY(op_env(requests[i], ctx)), *images));

  // Every vertex a history entry points at is a target, so the exporter can
  // tell which steps made layers; the scheduler runs each once anyway.
  std::vector<solver::Vertex*> targets;
  for (const auto& req : plan.requests)
    for (const auto& pp : req) {
      if (pp.root)
        targets.push_back(pp.root);
      for (const auto& h : pp.history)
        for (auto* v : {h.before, h.after})
          if (v)
            targets.push_back(v);
    }
  solver::SolveOptions opts;
  opts.max_parallelism = requests.empty() ? 0 : requests[0].max_parallelism;
  opts.no_cache = !requests.empty() && std::all_of(requests.begin(), requests.end(),
                                                    [](const auto& r) { return r.no_cache; });
  opts.progress = ctx.progress;
  opts.cancel = ctx.cancel;
  auto solved = TRY(solver::solve(targets, ctx.state->cache(), opts));
  std::map<const solver::Vertex*, std::string> refs;
  for (size_t i = 0; i < targets.size(); ++i)
    refs[targets[i]] = solved.refs[i].id;

  std::vector<BuildOutcome> out;
  for (const auto& req : plan.requests) {
    BuildOutcome o;
    o.warnings = plan.warnings;
    o.vertices = plan.graph.size();
    o.executed = solved.executed;
    for (const auto& pp : req)
      o.result.images.push_back(finish_platform(pp, refs));
    out.push_back(std::move(o));
  }
  return out;
}

Result<BuildOutcome> run_build(const BuildRequest& request, const BuildContext& ctx) {
  auto all = TRY(run_builds({request}, ctx));
  return std::move(all.front());
}

} // namespace xbuild::engine::build
