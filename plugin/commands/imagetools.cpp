// `docker xbuild imagetools create|inspect` (docs/commands/imagetools.md).

#include <cstdio>
#include <memory>

#include <nlohmann/json.hpp>

#include "oci/registry/imagetools.hpp"
#include "plugin/commands/cli_helpers.hpp"
#include "plugin/commands/commands.hpp"
#include "plugin/context.hpp"
#include "util/fs.hpp"
#include "util/strings.hpp"

namespace xbuild::plugin {
namespace {

struct ImagetoolsCreateOptions {
  std::vector<std::string> sources, tags, files, annotations, platforms;
  std::string metadata_file, progress = "auto";
  bool append = false, dry_run = false, prefer_index = true;
};

struct ImagetoolsInspectOptions {
  std::string name, format;
  bool raw = false;
};

void add_imagetools_create(CLI::App& cmd, ImagetoolsCreateOptions& o) {
  cmd.add_option("SOURCE", o.sources, "Source images or descriptors");
  add_array(cmd, "-t,--tag", o.tags, "Set reference for new image");
  add_array(cmd, "-f,--file", o.files, "Read source descriptor from file");
  add_array(cmd, "--annotation", o.annotations, "Add annotation to the image");
  add_array(cmd, "-p,--platform", o.platforms, "Filter specified platforms of target image");
  cmd.add_option("--metadata-file", o.metadata_file, "Write create result metadata to a file");
  cmd.add_option("--progress", o.progress, "Set type of progress output");
  cmd.add_flag("--append", o.append, "Append to existing manifest");
  cmd.add_flag("--dry-run", o.dry_run, "Show final image instead of pushing");
  cmd.add_flag("--prefer-index", o.prefer_index,
               "When only a single source is specified, prefer outputting an image index");
}

void add_imagetools_inspect(CLI::App& cmd, ImagetoolsInspectOptions& o) {
  cmd.add_option("NAME", o.name, "Image reference")->required();
  cmd.add_option("--format", o.format, "Format the output using the given Go template");
  cmd.add_flag("--raw", o.raw, "Show original, unformatted JSON manifest");
}

void print_out(const std::string& text) {
  std::fwrite(text.data(), 1, text.size(), stdout);
  std::fflush(stdout);
}

int run_imagetools_create(Context& ctx, const ImagetoolsCreateOptions& o) {
  auto session = oci::registry::open_registry_session(ctx.config_dir, ctx.cancel);
  if (!session)
    return print_error(session.error());
  oci::registry::CreateOptions options;
  options.sources = o.sources;
  options.files = o.files;
  options.tags = o.tags;
  options.annotations = o.annotations;
  options.platforms = o.platforms;
  options.append = o.append;
  options.prefer_index = o.prefer_index;
  options.dry_run = o.dry_run;
  auto result = oci::registry::create_image(*session->client, options);
  if (!result)
    return print_error(result.error());
  if (o.dry_run) {
    // The exact bytes that would be pushed.
    print_out(result->manifest.bytes + "\n");
    return 0;
  }
  for (const auto& ref : result->pushed)
    std::fprintf(stderr, "pushed %s@%s\n", ref.str().c_str(),
                 result->manifest.digest.str().c_str());
  if (!o.metadata_file.empty()) {
    nlohmann::ordered_json meta;
    meta["containerimage.descriptor"] = oci::descriptor_to_json(result->manifest.descriptor());
    meta["containerimage.digest"] = result->manifest.digest.str();
    std::vector<std::string> names;
    for (const auto& ref : result->pushed)
      names.push_back(ref.str());
    meta["image.name"] = util::join(names, ",");
    if (auto w = util::write_file_atomic(o.metadata_file, meta.dump(2) + "\n"); !w)
      return print_error(w.error());
  }
  return 0;
}

int run_imagetools_inspect(Context& ctx, const ImagetoolsInspectOptions& o) {
  if (o.raw && !o.format.empty())
    return print_error(Error{"--format and --raw cannot be used together", 1});
  auto ref = oci::Reference::parse(o.name);
  if (!ref)
    return print_error(ref.error());
  auto session = oci::registry::open_registry_session(ctx.config_dir, ctx.cancel);
  if (!session)
    return print_error(session.error());
  bool needs_configs = !o.raw && !o.format.empty() && o.format.find(".Image") != std::string::npos;
  auto image = oci::registry::inspect_image(*session->client, *ref,
                                            needs_configs || (!o.raw && o.format.empty()));
  if (!image)
    return print_error(image.error());
  if (o.raw) {
    print_out(image->root.bytes); // the exact bytes the registry served
    return 0;
  }
  if (o.format.empty()) {
    print_out(oci::registry::render_pretty(*image));
    return 0;
  }
  auto text = oci::registry::render_format(*image, o.format);
  if (!text)
    return print_error(text.error());
  print_out(*text + "\n");
  return 0;
}

} // namespace

void register_imagetools(CLI::App& root, Context& ctx) {
  auto* group = root.add_subcommand("imagetools", "Commands to work on images in registry");
  group->require_subcommand(1);

  auto create = std::make_shared<ImagetoolsCreateOptions>();
  auto* c = group->add_subcommand("create", "Create a new image based on source images");
  add_imagetools_create(*c, *create);
  c->callback([&ctx, create] { ctx.exit_code = run_imagetools_create(ctx, *create); });

  auto inspect = std::make_shared<ImagetoolsInspectOptions>();
  auto* i = group->add_subcommand("inspect", "Show details of an image in the registry");
  add_imagetools_inspect(*i, *inspect);
  i->callback([&ctx, inspect] { ctx.exit_code = run_imagetools_inspect(ctx, *inspect); });
}

} // namespace xbuild::plugin
