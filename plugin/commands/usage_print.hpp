#pragma once
// What `du` and `prune` share: opening the current builder's local state and
// printing usage items in buildx's layouts (include only from .cpp files).

#include <cstdio>
#include <ctime>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "driver/builders.hpp"
#include "engine/build/state.hpp"
#include "engine/cache/gc.hpp"
#include "plugin/builder_access.hpp"
#include "plugin/context.hpp"

namespace xbuild::plugin {

// The embedded engine's state of the builder this invocation uses.
inline Result<std::unique_ptr<engine::build::EngineState>> open_local_state(Context& ctx,
                                                                            const char* command) {
  auto group = TRY(current_builder(ctx));
  if (group.driver != "local")
    return fail("`" + ctx.command_name() + " " + command +
                "` works on builders of the local "
                "driver; builder \"" +
                group.name + "\" uses the " + group.driver + " driver (use `docker buildx " +
                command + "` for it, or --builder NAME)");
  return engine::build::EngineState::open(driver::local_state_dir(group));
}

// Go's text/tabwriter with minwidth 1, tabwidth 8, padding 1 and '\t' as
// pad character, which buildx prints its tables with.
class TabWriter {
public:
  void row(std::vector<std::string> cells) { m_rows.push_back(std::move(cells)); }
  void flush() {
    std::vector<size_t> width;
    for (const auto& r : m_rows)
      for (size_t i = 0; i + 1 < r.size(); ++i) {
        if (width.size() <= i)
          width.resize(i + 1, 0);
        size_t w = (r[i].size() + 1 + 7) / 8 * 8;
        width[i] = std::max(width[i], w);
      }
    for (const auto& r : m_rows) {
      std::string line;
      for (size_t i = 0; i < r.size(); ++i) {
        line += r[i];
        if (i + 1 < r.size())
          line += std::string((width[i] - r[i].size() + 7) / 8, '\t');
      }
      std::printf("%s\n", line.c_str());
    }
    m_rows.clear();
  }

private:
  std::vector<std::vector<std::string>> m_rows;
};

inline std::string short_id(const engine::cache::UsageItem& item) {
  auto colon = item.id.find(':');
  return (colon == std::string::npos ? item.id : item.id.substr(colon + 1)).substr(0, 25);
}

inline std::string ago(int64_t when) {
  if (when <= 0)
    return "";
  int64_t now = static_cast<int64_t>(std::time(nullptr));
  return engine::cache::human_duration(std::chrono::seconds(std::max<int64_t>(0, now - when))) +
         " ago";
}

inline std::string go_time(int64_t when) {
  std::time_t t = static_cast<std::time_t>(when);
  std::tm tm{};
  ::gmtime_r(&t, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S +0000 UTC", &tm);
  return buf;
}

inline void usage_header(TabWriter& tw) { tw.row({"ID", "RECLAIMABLE", "SIZE", "LAST ACCESSED"}); }

inline void usage_row(TabWriter& tw, const engine::cache::UsageItem& item) {
  std::string size = engine::cache::human_size(item.size) + (item.shared ? "*" : "");
  tw.row({short_id(item), item.in_use ? "false" : "true", size, ago(item.last_used)});
}

// buildx's printVerbose: one "Key:\tvalue" block per item.
inline void usage_verbose(TabWriter& tw, const engine::cache::UsageItem& item) {
  auto kv = [&tw](const std::string& k, const std::string& v) { tw.row({k + ":", v}); };
  kv("ID", item.id);
  if (!item.parent.empty())
    kv("Parent", item.parent);
  kv("Created at", go_time(item.created));
  kv("Mutable", "false");
  kv("Reclaimable", item.in_use ? "false" : "true");
  kv("Shared", item.shared ? "true" : "false");
  kv("Size", engine::cache::human_size(item.size));
  if (!item.description.empty())
    kv("Description", item.description);
  kv("Usage count", std::to_string(item.usage_count));
  kv("Last used", ago(item.last_used));
  kv("Type", engine::cache::kind_name(item.kind));
  tw.flush();
  std::printf("\n");
}

inline nlohmann::ordered_json usage_json(const engine::cache::UsageItem& item) {
  return {{"ID", item.id},
          {"Parents", item.parent.empty() ? nlohmann::ordered_json::array()
                                          : nlohmann::ordered_json::array({item.parent})},
          {"CreatedAt", go_time(item.created)},
          {"Mutable", false},
          {"Reclaimable", !item.in_use},
          {"Shared", item.shared},
          {"Size", item.size},
          {"Description", item.description},
          {"UsageCount", item.usage_count},
          {"LastUsedAt", go_time(item.last_used)},
          {"Type", engine::cache::kind_name(item.kind)}};
}

} // namespace xbuild::plugin
