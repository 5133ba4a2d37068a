#include "util/fs.hpp"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <fstream>
#include <pwd.h>
#include <sys/stat.h>
#include <sstream>
#include <unistd.h>

namespace xbuild::util {

Result<std::string> read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    return fail("cannot read " + path.string() + ": " + std::strerror(errno));
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

Result<void> write_file_atomic(const fs::path& path, std::string_view data, unsigned mode) {
  std::error_code ec;
  if (path.has_parent_path())
    fs::create_directories(path.parent_path(), ec);
  std::string tmp = path.string() + ".tmp-XXXXXX";
  int fd = mkstemp(tmp.data());
  if (fd < 0)
    return fail("cannot create a temporary file next to " + path.string() + ": " +
                std::strerror(errno));
  const char* p = data.data();
  size_t left = data.size();
  while (left > 0) {
    ssize_t n = ::write(fd, p, left);
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0) {
      int err = errno;
      ::close(fd);
      ::unlink(tmp.c_str());
      return fail("cannot write " + path.string() + ": " + std::strerror(err) +
                  (err == ENOSPC ? " (free some disk space and retry)" : ""));
    }
    p += n;
    left -= static_cast<size_t>(n);
  }
  ::fchmod(fd, mode);
  if (::fsync(fd) != 0 || ::close(fd) != 0) {
    int err = errno;
    ::unlink(tmp.c_str());
    return fail("cannot write " + path.string() + ": " + std::strerror(err));
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    int err = errno;
    ::unlink(tmp.c_str());
    return fail("cannot rename into " + path.string() + ": " + std::strerror(err));
  }
  return {};
}

TempDir::TempDir(std::string_view prefix) {
  const char* base = std::getenv("TMPDIR");
  std::string tmpl = std::string(base && *base ? base : "/tmp") + "/" + std::string(prefix) +
                     "-XXXXXX";
  if (!mkdtemp(tmpl.data()))
    throw FatalError{Error{"cannot create a temporary directory: " +
                           std::string(std::strerror(errno))}};
  m_path = tmpl;
}

TempDir::~TempDir() {
  if (m_keep)
    return;
  std::error_code ec;
  fs::remove_all(m_path, ec);
}

std::string home_dir() {
  if (const char* h = std::getenv("HOME"); h && *h)
    return h;
  if (const passwd* pw = getpwuid(getuid()); pw && pw->pw_dir)
    return pw->pw_dir;
  return "/";
}

} // namespace xbuild::util
