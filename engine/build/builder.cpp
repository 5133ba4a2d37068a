#include "engine/build/builder.hpp"

#include <set>
#include <unistd.h>

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

namespace {

std::vector<size_t> links_of(const BuildRequest& r) {
  std::vector<size_t> out;
  for (const auto& [name, c] : r.contexts)
    if (c.kind == NamedContext::Kind::linked)
      out.push_back(c.linked);
  return out;
}

// The first RUN step (or ONBUILD RUN trigger) a request's targets depend on.
const solver::Vertex* first_run_step(const std::vector<PlatformPlan>& plans) {
  std::vector<const solver::Vertex*> todo;
  for (const auto& pp : plans) {
    todo.push_back(pp.root);
    for (const auto& h : pp.history)
      todo.insert(todo.end(), {h.before, h.after});
  }
  std::set<const solver::Vertex*> seen;
  while (!todo.empty()) {
    const auto* v = todo.back();
    todo.pop_back();
    if (!v || !seen.insert(v).second)
      continue;
    if (dynamic_cast<const ExecOp*>(v->op.get()))
      return v;
    todo.insert(todo.end(), v->inputs.begin(), v->inputs.end());
  }
  return nullptr;
}

// RUN needs the sandbox, and the sandbox needs root (mount and PID
// namespaces; rootless mode is not there yet). Found at planning, so a
// non-root build with a RUN fails before any layer is pulled or step runs,
// not halfway through. Builds without RUN work as any user.
Result<void> check_privileges(const std::vector<PlatformPlan>& plans) {
  if (::geteuid() == 0)
    return {};
  const auto* run = first_run_step(plans);
  if (!run)
    return {};
  return fail("this build has RUN steps (" + run->op->display_name() +
              "), and the embedded engine needs root to run them: it creates mount and PID "
              "namespaces, which an unprivileged user (uid " + std::to_string(::geteuid()) +
              ") cannot. Run the build as root, e.g. with sudo; rootless mode is not "
              "supported yet. Builds without RUN steps work without root");
}

Result<void> plan_one(Plan& plan, size_t index, const BuildRequest& request,
                      const BuildContext& ctx, ImageSource& images) {
  TRY_VOID(check_platforms(request));
  auto env = TRY(op_env(request, ctx));
  TRY_VOID(plan_build(plan, index, request, env, images));
  return check_privileges(plan.requests[index]);
}

// Whether a request may be planned: every request it links to was. A link to
// a request that was not built makes it skipped (blocked by the root
// failure) or, after a fail-fast stop, stopped.
bool blocked(size_t i, const std::vector<BuildRequest>& requests,
             std::vector<RequestOutcome>& out) {
  using State = RequestOutcome::State;
  for (size_t dep : links_of(requests[i])) {
    const auto& d = out.at(dep);
    if (d.state == State::built)
      continue;
    out[i].state = d.state == State::stopped ? State::stopped : State::skipped;
    out[i].error = d.error;
    out[i].blocked_by = d.state == State::skipped ? d.blocked_by : dep;
    return true;
  }
  return false;
}

// Plans every request into one graph. A request that cannot be planned
// fails alone (contain) or stops the run before any work (fail-fast: then
// false, every other request stopped).
bool plan_all(Plan& plan, const std::vector<BuildRequest>& requests, const BuildContext& ctx,
              Execution execution, std::vector<RequestOutcome>& out) {
  using State = RequestOutcome::State;
  // Credentials and insecure-registry settings are those of the first
  // request: one user, one docker config per run.
  auto images = make_registry_image_source(
      ctx.state->content(), ctx.state->origins(),
      requests.empty() ? std::filesystem::path() : requests[0].docker_config_dir, ctx.cancel);
  plan.requests.resize(requests.size());
  for (size_t i = 0; i < requests.size(); ++i) {
    if (blocked(i, requests, out))
      continue;
    if (auto planned = plan_one(plan, i, requests[i], ctx, *images); !planned) {
      out[i].state = State::failed;
      out[i].error = planned.error();
      plan.requests[i].clear(); // half-planned: none of it is a target
      if (execution == Execution::fail_fast) {
        for (size_t j = 0; j < requests.size(); ++j)
          if (j != i)
            out[j].state = State::stopped;
        return false;
      }
    }
  }
  return true;
}

// The solver's targets: every vertex a history entry points at, so the
// exporter can tell which steps made layers (the scheduler runs each once
// anyway). Each target belongs to its request's job, which bounds requests
// building at once.
std::vector<solver::Vertex*> solver_targets(const Plan& plan, std::vector<size_t>& jobs) {
  std::vector<solver::Vertex*> targets;
  for (size_t i = 0; i < plan.requests.size(); ++i)
    for (const auto& pp : plan.requests[i]) {
      size_t before = targets.size();
      if (pp.root)
        targets.push_back(pp.root);
      for (const auto& h : pp.history)
        for (auto* v : {h.before, h.after})
          if (v)
            targets.push_back(v);
      jobs.insert(jobs.end(), targets.size() - before, i);
    }
  return targets;
}

} // namespace

Result<std::vector<RequestOutcome>> run_builds_partial(const std::vector<BuildRequest>& requests,
                                                       const BuildContext& ctx,
                                                       const RunOptions& options) {
  using State = RequestOutcome::State;
  std::vector<RequestOutcome> out(requests.size());
  // Lazy layers are pulled and extracted when needed, during the solve or
  // the export after it: both report here.
  ctx.state->set_progress(ctx.progress);
  Plan plan;
  if (!plan_all(plan, requests, ctx, options.execution, out))
    return out;

  solver::SolveOptions opts;
  auto targets = solver_targets(plan, opts.target_jobs);
  opts.max_jobs = options.max_concurrent;
  opts.on_failure = options.execution == Execution::contain ? solver::OnFailure::contain
                                                            : solver::OnFailure::stop;
  opts.max_parallelism = requests.empty() ? 0 : requests[0].max_parallelism;
  opts.no_cache = !requests.empty() && std::all_of(requests.begin(), requests.end(),
                                                    [](const auto& r) { return r.no_cache; });
  opts.progress = ctx.progress;
  opts.cancel = ctx.cancel;
  auto solved = TRY(solver::solve_partial(targets, ctx.state->cache(), opts));

  // Per request: the first real failure among its targets (a stop only when
  // nothing it needs failed), else its images.
  std::map<const solver::Vertex*, std::string> refs;
  std::map<size_t, solver::TargetFailure> failures;
  for (size_t i = 0; i < targets.size(); ++i) {
    if (i < solved.failures.size() && solved.failures[i]) {
      auto& f = failures[opts.target_jobs[i]];
      if (f.error.message.empty() || (f.stopped && !solved.failures[i]->stopped))
        f = *solved.failures[i];
    } else {
      refs[targets[i]] = solved.refs[i].id;
    }
  }
  for (size_t i = 0; i < requests.size(); ++i) {
    if (out[i].state != State::built || blocked(i, requests, out))
      continue;
    if (auto f = failures.find(i); f != failures.end()) {
      out[i].state = f->second.stopped ? State::stopped : State::failed;
      out[i].error = f->second.error;
      continue;
    }
    BuildOutcome& o = out[i].outcome;
    o.warnings = plan.warnings;
    o.vertices = plan.graph.size();
    o.executed = solved.executed;
    for (const auto& pp : plan.requests[i])
      o.result.images.push_back(finish_platform(pp, refs));
  }
  return out;
}

Result<std::vector<BuildOutcome>> run_builds(const std::vector<BuildRequest>& requests,
                                             const BuildContext& ctx) {
  auto partial = TRY(run_builds_partial(requests, ctx, {}));
  std::vector<BuildOutcome> out;
  for (auto& r : partial) {
    if (r.state == RequestOutcome::State::failed)
      return tl::unexpected(r.error);
  }
  for (auto& r : partial) {
    if (r.state != RequestOutcome::State::built)
      return tl::unexpected(r.error);
    out.push_back(std::move(r.outcome));
  }
  return out;
}

Result<BuildOutcome> run_build(const BuildRequest& request, const BuildContext& ctx) {
  auto all = TRY(run_builds({request}, ctx));
  return std::move(all.front());
}

} // namespace xbuild::engine::build
