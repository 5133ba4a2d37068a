#pragma once
// One file per subcommand. Each file defines an options struct, an `add_*`
// that declares its flags on the CLI11 tree, and a `run_*` that does the
// work; `register_*` wires the two together. CLI11 stays out of this header.

namespace CLI {
class App;
}

namespace xbuild {
struct Error;
}

namespace xbuild::plugin {

struct Context;

void register_build(CLI::App& root, Context& ctx);
void register_bake(CLI::App& root, Context& ctx);
void register_create(CLI::App& root, Context& ctx);
void register_ls(CLI::App& root, Context& ctx);
void register_use(CLI::App& root, Context& ctx);
void register_rm(CLI::App& root, Context& ctx);
void register_inspect(CLI::App& root, Context& ctx);
void register_stop(CLI::App& root, Context& ctx);
void register_du(CLI::App& root, Context& ctx);
void register_prune(CLI::App& root, Context& ctx);
void register_imagetools(CLI::App& root, Context& ctx);
void register_install_emulators(CLI::App& root, Context& ctx);
void register_version(CLI::App& root, Context& ctx);

// For commands whose engine work is not built yet: say so and fail. Never
// pretend to succeed.
int not_implemented(const Context& ctx, const char* command);

// Prints "ERROR: <message>" the way buildx does and returns the exit code.
int print_error(const Error& error);

} // namespace xbuild::plugin
