#include "engine/build/context_digests.hpp"

#include <cerrno>
#include <cstring>
#include <ctime>
#include <fcntl.h>
#include <unistd.h>

#include "util/sha256.hpp"

namespace xbuild::engine::build {
std::string stat_signature(const struct stat& st) {
  auto ts = [](const timespec& t) {
    return std::to_string(t.tv_sec) + "." + std::to_string(t.tv_nsec);
  };
  return std::to_string(st.st_dev) + ":" + std::to_string(st.st_ino) + ":" +
         std::to_string(st.st_size) + ":" + std::to_string(st.st_mode) + ":" +
         std::to_string(st.st_uid) + ":" + std::to_string(st.st_gid) + ":" + ts(st.st_mtim) +
         ":" + ts(st.st_ctim);
}

bool changed_recently(const struct stat& st, time_t now) {
  return st.st_mtim.tv_sec >= now - 2 || st.st_ctim.tv_sec >= now - 2;
}

Result<std::string> sha256_of_file(const std::filesystem::path& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0)
    return fail("cannot read " + path.string() + ": " + std::strerror(errno));
  util::Sha256 h;
  char buf[1 << 16];
  ssize_t n;
  while ((n = ::read(fd, buf, sizeof buf)) > 0)
    h.update(buf, static_cast<size_t>(n));
  int err = errno;
  ::close(fd);
  if (n < 0)
    return fail("cannot read " + path.string() + ": " + std::strerror(err));
  return h.hex_digest();
}

Result<void> ContextDigests::load(const std::filesystem::path& dir) {
  if (!m_index)
    return {};
  std::string key = std::filesystem::absolute(dir).lexically_normal().string();
  while (key.size() > 1 && key.back() == '/')
    key.pop_back();
  {
    std::lock_guard lock(m_mutex);
    if (!m_loaded.insert(key).second)
      return {};
  }
  auto rows = TRY(m_index->file_digests_under(key));
  std::lock_guard lock(m_mutex);
  for (auto& r : rows)
    m_known.emplace(std::move(r.path), Known{std::move(r.signature), std::move(r.digest)});
  return {};
}

Result<std::string> ContextDigests::file_digest(const std::filesystem::path& path,
                                                const struct stat& st) {
  std::string abs = path.is_absolute() ? path.string() : std::filesystem::absolute(path).string();
  std::string sig = stat_signature(st);
  {
    std::lock_guard lock(m_mutex);
    if (auto it = m_known.find(abs); it != m_known.end() && it->second.signature == sig)
      return it->second.digest;
  }
  std::string digest = TRY(sha256_of_file(path));
  if (m_index && !changed_recently(st, m_now(nullptr))) {
    std::lock_guard lock(m_mutex);
    m_known[abs] = Known{sig, digest};
    m_new.push_back({abs, sig, digest});
  }
  return digest;
}

Result<void> ContextDigests::flush() {
  std::vector<cache::FileDigest> rows;
  {
    std::lock_guard lock(m_mutex);
    rows.swap(m_new);
  }
  if (!m_index || rows.empty())
    return {};
  return m_index->store_file_digests(rows);
}

} // namespace xbuild::engine::build
