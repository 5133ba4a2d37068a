#pragma once
// The Docker CLI runs a plugin as [path, <docker global flags…>, "xbuild",
// <plugin args…>]. This splits docker's global flags off the front so that
// the plugin's own command tree only sees its arguments.

#include <optional>
#include <string>
#include <vector>

#include "util/error.hpp"

namespace xbuild::plugin {

struct DockerGlobalFlags {
  std::optional<std::string> config;    // --config DIR
  std::optional<std::string> context;   // -c/--context NAME
  std::vector<std::string> hosts;       // -H/--host (repeatable; docker uses the first)
  bool debug = false;                   // -D/--debug
  std::optional<std::string> log_level; // -l/--log-level
  bool tls = false;                     // --tls
  bool tls_verify = false;              // --tlsverify (implies --tls)
  std::optional<std::string> tls_ca;    // --tlscacert
  std::optional<std::string> tls_cert;  // --tlscert
  std::optional<std::string> tls_key;   // --tlskey
};

struct SplitArgv {
  DockerGlobalFlags docker;
  std::vector<std::string> args; // what follows "xbuild" (or argv[1:] standalone)
  bool as_plugin = false;        // invoked by the docker CLI
};

// `plugin_name` is the word the docker CLI puts before the plugin's arguments.
Result<SplitArgv> split_argv(const std::vector<std::string>& argv, bool invoked_by_docker,
                             const std::string& plugin_name = "xbuild");

} // namespace xbuild::plugin
