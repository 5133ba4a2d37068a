#include "plugin/progress/rawjson.hpp"

#include <nlohmann/json.hpp>

#include "util/http.hpp" // base64
#include "util/time.hpp"

namespace xbuild::plugin {
namespace {

using nlohmann::ordered_json;

void put_time(ordered_json& j, const char* key,
              const std::optional<engine::Clock::time_point>& t) {
  if (t)
    j[key] = util::format_rfc3339_nano(*t);
}

} // namespace

void RawJsonRenderer::emit(const std::string& line) {
  std::lock_guard lock(m_mutex);
  std::fprintf(m_out, "%s\n", line.c_str());
  std::fflush(m_out);
}

void RawJsonRenderer::vertex(const engine::VertexEvent& e) {
  ordered_json v = {{"digest", e.digest}};
  if (!e.inputs.empty())
    v["inputs"] = e.inputs;
  v["name"] = e.name;
  put_time(v, "started", e.started);
  put_time(v, "completed", e.completed);
  if (e.cached)
    v["cached"] = true;
  if (!e.error.empty())
    v["error"] = e.error;
  emit(ordered_json{{"vertexes", ordered_json::array({v})}}.dump());
}

void RawJsonRenderer::log(const engine::LogEvent& e) {
  ordered_json l = {{"vertex", e.vertex},
                    {"stream", e.stream},
                    {"data", util::base64_encode(e.data)},
                    {"timestamp", util::format_rfc3339_nano(e.timestamp)}};
  emit(ordered_json{{"logs", ordered_json::array({l})}}.dump());
}

void RawJsonRenderer::status(const engine::StatusEvent& e) {
  ordered_json s = {{"id", e.id}, {"vertex", e.vertex}};
  if (!e.name.empty())
    s["name"] = e.name;
  if (e.current)
    s["current"] = e.current;
  if (e.total)
    s["total"] = e.total;
  s["timestamp"] = util::format_rfc3339_nano(engine::Clock::now());
  put_time(s, "started", e.started);
  put_time(s, "completed", e.completed);
  emit(ordered_json{{"statuses", ordered_json::array({s})}}.dump());
}

void RawJsonRenderer::warning(const engine::WarningEvent& e) {
  ordered_json w = {{"vertex", e.vertex}, {"level", e.level},
                    {"short", util::base64_encode(e.short_text)}};
  if (!e.detail.empty()) {
    ordered_json d = ordered_json::array();
    for (const auto& line : e.detail)
      d.push_back(util::base64_encode(line));
    w["detail"] = d;
  }
  if (!e.url.empty())
    w["url"] = e.url;
  emit(ordered_json{{"warnings", ordered_json::array({w})}}.dump());
}

} // namespace xbuild::plugin
