#include "plugin/global_flags.hpp"

#include <functional>
#include <map>

namespace xbuild::plugin {
namespace {

enum class Takes { value, nothing };

struct FlagSpec {
  Takes takes;
  std::function<void(DockerGlobalFlags&, const std::string&)> set;
};

const std::map<std::string, FlagSpec>& docker_flags() {
  // docker's global flags (docker/cli cli/flags/options.go), long and short names.
  static const std::map<std::string, FlagSpec> k_flags = {
      {"--config", {Takes::value, [](auto& f, const auto& v) { f.config = v; }}},
      {"--context", {Takes::value, [](auto& f, const auto& v) { f.context = v; }}},
      {"-c", {Takes::value, [](auto& f, const auto& v) { f.context = v; }}},
      {"--host", {Takes::value, [](auto& f, const auto& v) { f.hosts.push_back(v); }}},
      {"-H", {Takes::value, [](auto& f, const auto& v) { f.hosts.push_back(v); }}},
      {"--log-level", {Takes::value, [](auto& f, const auto& v) { f.log_level = v; }}},
      {"-l", {Takes::value, [](auto& f, const auto& v) { f.log_level = v; }}},
      {"--debug", {Takes::nothing, [](auto& f, const auto&) { f.debug = true; }}},
      {"-D", {Takes::nothing, [](auto& f, const auto&) { f.debug = true; }}},
      {"--tls", {Takes::nothing, [](auto& f, const auto&) { f.tls = true; }}},
      {"--tlsverify", {Takes::nothing, [](auto& f, const auto&) { f.tls_verify = f.tls = true; }}},
      {"--tlscacert", {Takes::value, [](auto& f, const auto& v) { f.tls_ca = v; }}},
      {"--tlscert", {Takes::value, [](auto& f, const auto& v) { f.tls_cert = v; }}},
      {"--tlskey", {Takes::value, [](auto& f, const auto& v) { f.tls_key = v; }}},
  };
  return k_flags;
}

// Splits "--flag=value" and "-cvalue" into name and inline value.
std::pair<std::string, std::optional<std::string>> flag_parts(const std::string& arg) {
  if (arg.starts_with("--")) {
    auto eq = arg.find('=');
    if (eq == std::string::npos)
      return {arg, std::nullopt};
    return {arg.substr(0, eq), arg.substr(eq + 1)};
  }
  if (arg.size() > 2) {
    std::string rest = arg.substr(2);
    if (rest.starts_with("="))
      rest.erase(0, 1);
    return {arg.substr(0, 2), rest};
  }
  return {arg, std::nullopt};
}

} // namespace

Result<SplitArgv> split_argv(const std::vector<std::string>& argv, bool invoked_by_docker,
                             const std::string& plugin_name) {
  SplitArgv out;
  out.as_plugin = invoked_by_docker;
  size_t i = argv.empty() ? 0 : 1;
  for (; i < argv.size(); ++i) {
    const std::string& arg = argv[i];
    if (arg == plugin_name && invoked_by_docker) {
      ++i;
      break;
    }
    if (!arg.starts_with("-") || arg == "-")
      break;
    auto [name, inline_value] = flag_parts(arg);
    auto it = docker_flags().find(name);
    if (it == docker_flags().end()) {
      if (invoked_by_docker)
        return fail("unknown docker global flag: " + arg);
      break; // standalone: leave it for the plugin's own parser
    }
    if (it->second.takes == Takes::nothing) {
      if (inline_value && arg.starts_with("--"))
        it->second.set(out.docker, "");
      else if (inline_value)
        break; // "-Dx" is not a docker flag; let the plugin parser complain
      it->second.set(out.docker, "");
      continue;
    }
    std::string value;
    if (inline_value) {
      value = *inline_value;
    } else if (i + 1 < argv.size()) {
      value = argv[++i];
    } else {
      return fail("flag needs an argument: " + name);
    }
    it->second.set(out.docker, value);
  }
  for (; i < argv.size(); ++i)
    out.args.push_back(argv[i]);
  return out;
}

} // namespace xbuild::plugin
