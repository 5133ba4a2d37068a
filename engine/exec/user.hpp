#pragma once
// Resolving a Dockerfile `USER` string ("name", "uid", "name:group",
// "uid:gid", …) to numeric ids through the image's own /etc/passwd and
// /etc/group, the way runc/moby's `user.GetExecUser` does:
//
// - a name must exist in /etc/passwd; a number need not (uid 1234 with no
//   entry runs with gid 0 and no supplementary groups);
// - with no group given, the primary gid comes from the passwd entry and the
//   supplementary groups are every /etc/group entry that lists the user name;
// - with a group given (name or number), that group is the gid and there are
//   no supplementary groups from /etc/group;
// - the primary gid is always the first supplementary group too, as
//   BuildKit's executors and containerd (ensureAdditionalGids) set it;
// - an empty string means root.
//
// The files are read from the rootfs without following symlinks out of it
// (see `read_file_in_root`), so an image cannot make us read host files.

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "util/error.hpp"

namespace xbuild::engine::exec {

struct ExecUser {
  unsigned uid = 0;
  unsigned gid = 0;
  std::vector<unsigned> groups; // supplementary groups: gid first, no duplicates
  std::string home = "/";       // from passwd; "/" when unknown
};

// Resolves `user` against the text of /etc/passwd and /etc/group (either may
// be empty when the image has no such file).
Result<ExecUser> resolve_user(std::string_view user, std::string_view passwd_text,
                              std::string_view group_text);

// Resolves `user` against `rootfs`/etc/passwd and `rootfs`/etc/group.
Result<ExecUser> resolve_user_in_rootfs(std::string_view user, const std::filesystem::path& rootfs);

// Reads `rel_path` inside `root`, resolving symlinks as if `root` were "/"
// (openat2 RESOLVE_IN_ROOT). A missing file is not an error: `found` is false.
struct RootedRead {
  bool found = false;
  std::string data;
};
Result<RootedRead> read_file_in_root(const std::filesystem::path& root, std::string_view rel_path);

} // namespace xbuild::engine::exec
