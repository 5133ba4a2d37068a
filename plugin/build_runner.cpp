#include "plugin/build_runner.hpp"

#include <cstdio>

#include <nlohmann/json.hpp>

#include "driver/builders.hpp"
#include "plugin/builder_access.hpp"
#include "plugin/commands/commands.hpp"
#include "plugin/progress/renderer.hpp"
#include "util/error.hpp"
#include "util/fs.hpp"

namespace xbuild::plugin {
namespace {

Result<void> write_side_files(const BuildUi& ui, const driver::BuildResult& r) {
  if (!ui.metadata_file.empty()) {
    nlohmann::ordered_json meta;
    if (!r.descriptor_json.empty())
      meta["containerimage.descriptor"] = nlohmann::json::parse(r.descriptor_json);
    if (!r.config_digest.empty())
      meta["containerimage.config.digest"] = r.config_digest;
    meta["containerimage.digest"] = r.image_digest;
    if (!r.image_name.empty())
      meta["image.name"] = r.image_name;
    TRY_VOID(util::write_file_atomic(ui.metadata_file, meta.dump(2) + "\n"));
  }
  if (!ui.iidfile.empty())
    TRY_VOID(util::write_file_atomic(ui.iidfile, r.config_digest.empty() ? r.image_digest
                                                                         : r.config_digest));
  return {};
}

Result<driver::BuildResult> build(Context& ctx, const driver::BuildRequest& request,
                                  Renderer& renderer) {
  auto group = TRY(current_builder(ctx));
  if (group.driver != "local")
    return fail("builder \"" + group.name + "\" uses the " + group.driver +
                " driver, which cannot build yet; use the embedded engine with --builder default");
  auto store = open_builder_store(ctx);
  (void)store.touch_activity(group.name);
  return driver::build_local(driver::local_state_dir(group), request, {&renderer, ctx.cancel});
}

// --load goes to the engine the docker CLI would talk to.
Result<void> resolve_docker(Context& ctx, driver::BuildRequest& request) {
  bool loads = false;
  for (const auto& o : request.outputs)
    loads = loads || (o.find("type=docker") != std::string::npos && o.find("dest=") == std::string::npos);
  if (!loads)
    return {};
  auto ep = TRY(ctx.docker_endpoint());
  request.docker = {ep.host, ep.tls, ep.skip_verify, ep.ca_file, ep.cert_file, ep.key_file};
  return {};
}

} // namespace

void warn_ignored(const std::string& who, const std::vector<std::string>& ignored) {
  for (const auto& option : ignored)
    std::fprintf(stderr,
                 "WARNING: %s%s is not supported by the embedded engine yet; building without it\n",
                 who.c_str(), option.c_str());
}

int run_engine_build(Context& ctx, driver::BuildRequest request, const BuildUi& ui) {
  request.docker_config_dir = ctx.config_dir;
  warn_ignored("", request.ignored);
  if (auto r = resolve_docker(ctx, request); !r)
    return print_error(r.error());
  auto mode = parse_progress_mode(ui.quiet ? "quiet" : ui.progress, stderr);
  if (!mode)
    return print_error(mode.error());
  if (request.outputs.empty())
    std::fprintf(stderr,
                 "WARNING: No output specified with local driver. Build result will only remain "
                 "in the build cache. To push result image into registry use --push or to load "
                 "image into docker use --load\n");
  auto renderer = make_renderer(*mode, stderr);
  auto result = build(ctx, request, *renderer);
  renderer->finish();
  if (!result)
    return print_error(result.error());
  if (!result->loaded.empty())
    std::fprintf(stderr, "%s\n", result->loaded.c_str());
  for (const auto& w : result->warnings)
    std::fprintf(stderr, "WARNING: %s\n", w.c_str());
  if (auto side = write_side_files(ui, *result); !side)
    return print_error(side.error());
  if (ui.quiet)
    std::printf("%s\n", (result->config_digest.empty() ? result->image_digest
                                                      : result->config_digest).c_str());
  return 0;
}

} // namespace xbuild::plugin
