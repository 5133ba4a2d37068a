#include "oci/image_config.hpp"

#include <nlohmann/json.hpp>

namespace xbuild::oci {

using nlohmann::json;
using nlohmann::ordered_json;

namespace {

std::string at(std::string_view where, std::string_view key) {
  return std::string(where) + "." + std::string(key);
}

Result<std::string> get_string(const json& j, std::string_view key, std::string_view where) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null())
    return std::string();
  if (!it->is_string())
    return fail(at(where, key) + " must be a string");
  return it->get<std::string>();
}

Result<std::optional<std::vector<std::string>>> get_strings(const json& j, std::string_view key,
                                                            std::string_view where) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null())
    return std::optional<std::vector<std::string>>();
  if (!it->is_array())
    return fail(at(where, key) + " must be an array of strings");
  std::vector<std::string> out;
  for (auto& v : *it) {
    if (!v.is_string())
      return fail(at(where, key) + " must be an array of strings");
    out.push_back(v.get<std::string>());
  }
  return std::optional<std::vector<std::string>>(std::move(out));
}

// Keys of a JSON set-like object ({"80/tcp": {}}).
Result<std::vector<std::string>> get_keys(const json& j, std::string_view key,
                                          std::string_view where) {
  std::vector<std::string> out;
  auto it = j.find(key);
  if (it == j.end() || it->is_null())
    return out;
  if (!it->is_object())
    return fail(at(where, key) + " must be an object");
  for (auto& [k, v] : it->items())
    out.push_back(k);
  return out;
}

std::string extra_of(json j, std::initializer_list<const char*> known) {
  for (auto* k : known)
    j.erase(k);
  return j.empty() ? std::string() : j.dump(-1, ' ', false, json::error_handler_t::replace);
}

void merge_extra(ordered_json& out, const std::string& extra) {
  if (extra.empty())
    return;
  auto j = ordered_json::parse(extra, nullptr, false);
  if (!j.is_object())
    return;
  for (auto& [k, v] : j.items())
    if (!out.contains(k))
      out[k] = v;
}

Result<ContainerConfig> parse_container_config(const json& j, std::string_view where) {
  ContainerConfig c;
  if (j.is_null())
    return c;
  if (!j.is_object())
    return fail(std::string(where) + " must be an object");
  c.user = TRY(get_string(j, "User", where));
  c.exposed_ports = TRY(get_keys(j, "ExposedPorts", where));
  c.env = TRY(get_strings(j, "Env", where)).value_or(std::vector<std::string>{});
  c.entrypoint = TRY(get_strings(j, "Entrypoint", where));
  c.cmd = TRY(get_strings(j, "Cmd", where));
  c.volumes = TRY(get_keys(j, "Volumes", where));
  c.working_dir = TRY(get_string(j, "WorkingDir", where));
  if (auto it = j.find("Labels"); it != j.end() && !it->is_null()) {
    if (!it->is_object())
      return fail(at(where, "Labels") + " must be an object of strings");
    for (auto& [k, v] : it->items()) {
      if (!v.is_string())
        return fail(at(where, "Labels") + "[\"" + k + "\"] must be a string");
      c.labels[k] = v.get<std::string>();
    }
  }
  c.stop_signal = TRY(get_string(j, "StopSignal", where));
  if (auto it = j.find("ArgsEscaped"); it != j.end() && it->is_boolean())
    c.args_escaped = it->get<bool>();
  c.extra_json = extra_of(j, {"User", "ExposedPorts", "Env", "Entrypoint", "Cmd", "Volumes",
                              "WorkingDir", "Labels", "StopSignal", "ArgsEscaped"});
  return c;
}

ordered_json encode_container_config(const ContainerConfig& c) {
  ordered_json j = ordered_json::object();
  if (!c.user.empty())
    j["User"] = c.user;
  if (!c.exposed_ports.empty()) {
    j["ExposedPorts"] = ordered_json::object();
    for (auto& p : c.exposed_ports)
      j["ExposedPorts"][p] = ordered_json::object();
  }
  if (!c.env.empty())
    j["Env"] = c.env;
  if (c.entrypoint)
    j["Entrypoint"] = *c.entrypoint;
  if (c.cmd)
    j["Cmd"] = *c.cmd;
  if (!c.volumes.empty()) {
    j["Volumes"] = ordered_json::object();
    for (auto& v : c.volumes)
      j["Volumes"][v] = ordered_json::object();
  }
  if (!c.working_dir.empty())
    j["WorkingDir"] = c.working_dir;
  if (!c.labels.empty())
    j["Labels"] = c.labels;
  if (!c.stop_signal.empty())
    j["StopSignal"] = c.stop_signal;
  if (c.args_escaped)
    j["ArgsEscaped"] = *c.args_escaped;
  merge_extra(j, c.extra_json);
  return j;
}

} // namespace

Platform ImageConfig::platform() const {
  Platform p;
  p.os = os;
  p.architecture = architecture;
  p.variant = variant;
  p.os_version = os_version;
  p.os_features = os_features;
  return p;
}

Result<ImageConfig> parse_image_config(std::string_view bytes, std::string_view where) {
  json j;
  try {
    j = json::parse(bytes.begin(), bytes.end());
  } catch (const json::exception& e) { // parse_error, or out_of_range for huge numbers
    return fail(std::string(where) + " is not valid JSON (" + e.what() + ")");
  }
  if (!j.is_object())
    return fail(std::string(where) + " must be a JSON object");
  ImageConfig c;
  c.created = TRY(get_string(j, "created", where));
  c.author = TRY(get_string(j, "author", where));
  c.architecture = TRY(get_string(j, "architecture", where));
  c.os = TRY(get_string(j, "os", where));
  if (c.architecture.empty() || c.os.empty())
    return fail(std::string(where) + " needs \"architecture\" and \"os\"");
  c.os_version = TRY(get_string(j, "os.version", where));
  c.os_features = TRY(get_strings(j, "os.features", where)).value_or(std::vector<std::string>{});
  c.variant = TRY(get_string(j, "variant", where));
  if (auto it = j.find("config"); it != j.end())
    c.config = TRY(parse_container_config(*it, at(where, "config")));
  auto rootfs = j.find("rootfs");
  if (rootfs == j.end() || !rootfs->is_object())
    return fail(std::string(where) + ": \"rootfs\" is missing");
  if (TRY(get_string(*rootfs, "type", at(where, "rootfs"))) != "layers")
    return fail(at(where, "rootfs.type") + " must be \"layers\"");
  auto diff_ids = TRY(get_strings(*rootfs, "diff_ids", at(where, "rootfs")));
  if (diff_ids)
    for (size_t i = 0; i < diff_ids->size(); ++i)
      c.diff_ids.push_back(TRY(
          Digest::parse((*diff_ids)[i], at(where, "rootfs.diff_ids[" + std::to_string(i) + "]"))));
  if (auto it = j.find("history"); it != j.end() && !it->is_null()) {
    if (!it->is_array())
      return fail(at(where, "history") + " must be an array");
    for (size_t i = 0; i < it->size(); ++i) {
      const json& h = (*it)[i];
      std::string hw = at(where, "history[" + std::to_string(i) + "]");
      if (!h.is_object())
        return fail(hw + " must be an object");
      HistoryEntry e;
      e.created = TRY(get_string(h, "created", hw));
      e.author = TRY(get_string(h, "author", hw));
      e.created_by = TRY(get_string(h, "created_by", hw));
      e.comment = TRY(get_string(h, "comment", hw));
      if (auto el = h.find("empty_layer"); el != h.end() && el->is_boolean())
        e.empty_layer = el->get<bool>();
      c.history.push_back(std::move(e));
    }
  }
  c.extra_json = extra_of(j, {"created", "author", "architecture", "os", "os.version",
                              "os.features", "variant", "config", "rootfs", "history"});
  return c;
}

std::string encode_image_config(const ImageConfig& c) {
  ordered_json j;
  if (!c.created.empty())
    j["created"] = c.created;
  if (!c.author.empty())
    j["author"] = c.author;
  j["architecture"] = c.architecture;
  j["os"] = c.os;
  if (!c.os_version.empty())
    j["os.version"] = c.os_version;
  if (!c.os_features.empty())
    j["os.features"] = c.os_features;
  if (!c.variant.empty())
    j["variant"] = c.variant;
  j["config"] = encode_container_config(c.config);
  j["rootfs"] = {{"type", "layers"}, {"diff_ids", ordered_json::array()}};
  for (auto& d : c.diff_ids)
    j["rootfs"]["diff_ids"].push_back(d.str());
  if (!c.history.empty()) {
    j["history"] = ordered_json::array();
    for (auto& h : c.history) {
      ordered_json e = ordered_json::object();
      if (!h.created.empty())
        e["created"] = h.created;
      if (!h.author.empty())
        e["author"] = h.author;
      if (!h.created_by.empty())
        e["created_by"] = h.created_by;
      if (!h.comment.empty())
        e["comment"] = h.comment;
      if (h.empty_layer)
        e["empty_layer"] = true;
      j["history"].push_back(std::move(e));
    }
  }
  merge_extra(j, c.extra_json);
  return j.dump(-1, ' ', false, ordered_json::error_handler_t::replace);
}

} // namespace xbuild::oci
