#include "engine/exec/user.hpp"

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <fcntl.h>
#include <linux/openat2.h>
#include <optional>
#include <sys/syscall.h>
#include <unistd.h>

#include "util/strings.hpp"

namespace xbuild::engine::exec {
namespace {

std::optional<unsigned> parse_id(std::string_view s) {
  if (s.empty())
    return std::nullopt;
  unsigned v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size())
    return std::nullopt;
  return v;
}

// One line of passwd (name:pw:uid:gid:gecos:home:shell) or group
// (name:pw:gid:members). Malformed lines are skipped, as libc does.
struct DbEntry {
  std::string name;
  unsigned id = 0;
  unsigned gid = 0;                 // passwd only
  std::string home;                 // passwd only
  std::vector<std::string> members; // group only
};

std::vector<DbEntry> parse_db(std::string_view text, bool is_passwd) {
  std::vector<DbEntry> out;
  for (const auto& raw : util::split(text, '\n')) {
    auto line = util::trim(raw);
    if (line.empty() || line.front() == '#')
      continue;
    auto f = util::split(line, ':');
    size_t want = is_passwd ? 7 : 4;
    if (f.size() < want - 1) // tolerate a missing last field
      continue;
    auto id = parse_id(f[2]);
    if (!id)
      continue;
    DbEntry e{f[0], *id, 0, "", {}};
    if (is_passwd) {
      auto gid = parse_id(f[3]);
      if (!gid)
        continue;
      e.gid = *gid;
      e.home = f.size() > 5 ? f[5] : "";
    } else if (f.size() > 3 && !f[3].empty()) {
      e.members = util::split(f[3], ',');
    }
    out.push_back(std::move(e));
  }
  return out;
}

const DbEntry* find_by(const std::vector<DbEntry>& db, std::string_view key) {
  for (const auto& e : db)
    if (e.name == key)
      return &e;
  if (auto id = parse_id(key))
    for (const auto& e : db)
      if (e.id == *id)
        return &e;
  return nullptr;
}

} // namespace

Result<ExecUser> resolve_user(std::string_view user, std::string_view passwd_text,
                              std::string_view group_text) {
  // Root by number: an image without /etc/passwd (scratch) still runs as root.
  if (user.empty())
    user = "0";
  std::string_view user_part = user;
  std::optional<std::string_view> group_part;
  if (auto colon = user.find(':'); colon != std::string_view::npos) {
    user_part = user.substr(0, colon);
    group_part = user.substr(colon + 1);
  }
  auto passwd = parse_db(passwd_text, true);
  auto groups = parse_db(group_text, false);

  ExecUser out;
  const DbEntry* pw = find_by(passwd, user_part);
  if (pw) {
    out.uid = pw->id;
    out.gid = pw->gid;
    out.home = pw->home.empty() ? "/" : pw->home;
  } else if (auto uid = parse_id(user_part)) {
    out.uid = *uid;
  } else {
    return fail("unable to find user " + std::string(user_part) +
                ": no matching entries in passwd file");
  }

  if (group_part) {
    const DbEntry* gr = find_by(groups, *group_part);
    if (gr)
      out.gid = gr->id;
    else if (auto gid = parse_id(*group_part))
      out.gid = *gid;
    else
      return fail("unable to find group " + std::string(*group_part) +
                  ": no matching entries in group file");
  }
  // The primary group always leads the supplementary list (BuildKit's
  // executors and containerd add it, since CVE-2023-25173): otherwise a
  // file's group permission would depend on which call checks the groups.
  out.groups.push_back(out.gid);
  if (group_part || !pw)
    return out;
  // Supplementary groups: every group that names this user as a member.
  for (const auto& g : groups) {
    if (std::find(g.members.begin(), g.members.end(), pw->name) == g.members.end())
      continue;
    if (std::find(out.groups.begin(), out.groups.end(), g.id) == out.groups.end())
      out.groups.push_back(g.id);
  }
  return out;
}

Result<RootedRead> read_file_in_root(const std::filesystem::path& root, std::string_view rel_path) {
  int root_fd = ::open(root.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (root_fd < 0)
    return fail("cannot open root filesystem " + root.string() + ": " + std::strerror(errno));
  open_how how{};
  how.flags = O_RDONLY | O_CLOEXEC;
  how.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS;
  std::string rel(rel_path);
  int fd = static_cast<int>(::syscall(SYS_openat2, root_fd, rel.c_str(), &how, sizeof how));
  int err = errno;
  ::close(root_fd);
  if (fd < 0) {
    if (err == ENOENT || err == ENOTDIR)
      return RootedRead{};
    return fail("cannot read " + rel + " in " + root.string() + ": " + std::strerror(err));
  }
  RootedRead out{true, {}};
  char buf[16384];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0) {
      err = errno;
      ::close(fd);
      return fail("cannot read " + rel + " in " + root.string() + ": " + std::strerror(err));
    }
    if (n == 0)
      break;
    out.data.append(buf, static_cast<size_t>(n));
  }
  ::close(fd);
  return out;
}

Result<ExecUser> resolve_user_in_rootfs(std::string_view user,
                                        const std::filesystem::path& rootfs) {
  auto passwd = TRY(read_file_in_root(rootfs, "etc/passwd"));
  auto group = TRY(read_file_in_root(rootfs, "etc/group"));
  return resolve_user(user, passwd.data, group.data);
}

} // namespace xbuild::engine::exec
