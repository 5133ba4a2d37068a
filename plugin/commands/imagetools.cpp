// `docker xbuild imagetools create|inspect` (docs/commands/imagetools.md).

#include <memory>

#include "plugin/commands/cli_helpers.hpp"
#include "plugin/commands/commands.hpp"
#include "plugin/context.hpp"

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

int run_imagetools_create(Context& ctx, const ImagetoolsCreateOptions&) {
  return not_implemented(ctx, "imagetools create");
}

int run_imagetools_inspect(Context& ctx, const ImagetoolsInspectOptions&) {
  return not_implemented(ctx, "imagetools inspect");
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
