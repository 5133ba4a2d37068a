// `docker xbuild ls` (docs/commands/ls.md): builders and their nodes, in
// buildx's table layout or as one JSON object per builder.

#include <cstdio>
#include <memory>

#include <nlohmann/json.hpp>

#include "driver/builders.hpp"
#include "plugin/builder_access.hpp"
#include "plugin/commands/cli_helpers.hpp"
#include "plugin/commands/commands.hpp"
#include "util/strings.hpp"

namespace xbuild::plugin {
namespace {

struct LsOptions {
  std::string format = "table", timeout = "20s";
  bool no_trunc = false;
};

void add_ls(CLI::App& cmd, LsOptions& o) {
  cmd.add_option("--format", o.format, "Format the output (table or json)");
  cmd.add_option("--timeout", o.timeout, "Timeout for loading builder status");
  cmd.add_flag("--no-trunc", o.no_trunc, "Do not truncate output");
}

nlohmann::ordered_json builder_json(const driver::NodeGroup& g, const driver::BuilderStore& store) {
  nlohmann::ordered_json nodes = nlohmann::ordered_json::array();
  for (const auto& n : g.nodes) {
    auto st = node_status(g, n);
    nodes.push_back({{"Name", n.name},
                     {"Endpoint", n.endpoint.empty() ? g.driver : n.endpoint},
                     {"Status", st.status},
                     {"Version", st.version},
                     {"Platforms", st.platforms},
                     {"Err", st.error}});
  }
  return {{"Name", g.name},
          {"Driver", g.driver},
          {"LastActivity", store.last_activity(g.name).value_or("")},
          {"Dynamic", g.dynamic},
          {"Nodes", nodes}};
}

void print_table(const std::vector<driver::NodeGroup>& groups, const std::string& current,
                 bool no_trunc) {
  std::vector<std::array<std::string, 5>> rows;
  rows.push_back({"NAME/NODE", "DRIVER/ENDPOINT", "STATUS", "BUILDKIT", "PLATFORMS"});
  std::vector<std::string> errors;
  for (const auto& g : groups) {
    rows.push_back({g.name + (g.name == current ? "*" : ""), g.driver, "", "", ""});
    for (const auto& n : g.nodes) {
      auto st = node_status(g, n);
      std::string platforms = util::join(st.platforms, ", ");
      if (!no_trunc && platforms.size() > 60)
        platforms = platforms.substr(0, 57) + "...";
      rows.push_back({" \\_ " + n.name, " \\_ " + (n.endpoint.empty() ? g.driver : n.endpoint),
                      st.status, st.version, platforms});
      if (!st.error.empty())
        errors.push_back(g.name + " (" + n.name + "): " + st.error);
    }
  }
  std::array<size_t, 5> width{};
  for (const auto& r : rows)
    for (size_t i = 0; i < 5; ++i)
      width[i] = std::max(width[i], r[i].size());
  for (const auto& r : rows) {
    std::string line;
    for (size_t i = 0; i < 5; ++i)
      line += r[i] + (i + 1 < 5 ? std::string(width[i] - r[i].size() + 3, ' ') : "");
    line.erase(line.find_last_not_of(' ') + 1);
    std::printf("%s\n", line.c_str());
  }
  if (!errors.empty())
    std::printf("\nCannot load builders:\n%s\n", util::join(errors, "\n").c_str());
}

Result<void> list(Context& ctx, const LsOptions& o) {
  if (o.format != "table" && o.format != "json")
    return fail("unsupported --format \"" + o.format + "\": use table or json", 125);
  auto store = open_builder_store(ctx);
  std::vector<driver::NodeGroup> groups = {driver::implicit_default_builder()};
  for (auto& g : TRY(store.list()))
    groups.push_back(std::move(g));
  std::string current = TRY(current_builder(ctx)).name;
  if (o.format == "json") {
    for (const auto& g : groups)
      std::printf("%s\n", builder_json(g, store).dump().c_str());
    return {};
  }
  print_table(groups, current, o.no_trunc);
  return {};
}

int run_ls(Context& ctx, const LsOptions& o) {
  auto r = list(ctx, o);
  return r ? 0 : print_error(r.error());
}

} // namespace

void register_ls(CLI::App& root, Context& ctx) {
  auto opts = std::make_shared<LsOptions>();
  auto* cmd = root.add_subcommand("ls", "List builder instances");
  add_ls(*cmd, *opts);
  cmd->callback([&ctx, opts] { ctx.exit_code = run_ls(ctx, *opts); });
}

} // namespace xbuild::plugin
