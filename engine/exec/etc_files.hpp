#pragma once
// The files a RUN step sees at /etc/hosts, /etc/resolv.conf and
// /etc/hostname. They are generated per run and bind-mounted read-only over
// the image's files (as BuildKit does), so a RUN never writes them into the
// layer.

#include <string>
#include <string_view>
#include <vector>

#include "engine/exec/sandbox.hpp"

namespace xbuild::engine::exec {

// BuildKit's hosts file: localhost and the sandbox hostname on 127.0.0.1,
// the IPv6 loopback names, then one line per extra host ("name=ip" or
// "name:ip" as `--add-host` gives them).
Result<std::string> make_hosts_file(std::string_view hostname,
                                    const std::vector<std::string>& extra_hosts);

// The host's resolv.conf text adapted for the sandbox: with the host network
// it is used as is; with no network, nameservers on loopback cannot work and
// are dropped. When nothing is left, public resolvers are used (as BuildKit).
std::string make_resolv_conf(std::string_view host_resolv_conf, NetworkMode network);

} // namespace xbuild::engine::exec
