#pragma once
// Filesystem helpers. Writes that other processes may read are atomic: a temp
// file in the same directory, fsync, then rename.

#include <filesystem>
#include <string>

#include "util/error.hpp"

namespace xbuild::util {

namespace fs = std::filesystem;

Result<std::string> read_file(const fs::path& path);
// Writes `data` to `path` atomically (temp + fsync + rename), creating parents.
Result<void> write_file_atomic(const fs::path& path, std::string_view data, unsigned mode = 0644);

// A directory removed when the object dies, unless keep() was called.
class TempDir {
public:
  explicit TempDir(std::string_view prefix = "xbuild");
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const fs::path& path() const { return m_path; }
  void keep() { m_keep = true; }

private:
  fs::path m_path;
  bool m_keep = false;
};

// $HOME, or the passwd entry's home directory when HOME is unset.
std::string home_dir();

} // namespace xbuild::util
