#pragma once
// Content digests of build-context files, remembered across builds by their
// stat signature (device, inode, size, mode, owner, and mtime and ctime to
// the nanosecond), so a rebuild reads only the files that changed instead of
// the whole context. This is the trust git's index and BuildKit's content
// hash cache put in ctime: no user-space call can set it back, so a file
// whose signature still matches has the content it had. A file changed in
// the last two seconds is hashed but not remembered: a write in the same
// clock tick as our stat would otherwise go unseen.

#include <ctime>
#include <filesystem>
#include <mutex>
#include <set>
#include <string>
#include <sys/stat.h>
#include <unordered_map>
#include <vector>

#include "engine/cache/cache_index.hpp"
#include "util/error.hpp"

namespace xbuild::engine::build {

// A file's stat signature: device, inode, size, mode, owner, and mtime and
// ctime to the nanosecond. Equal signatures mean equal content.
std::string stat_signature(const struct stat& st);

// Changed so recently (two seconds) that a write within the same timestamp
// tick as our stat could go unseen: such a signature is not trusted later.
bool changed_recently(const struct stat& st, time_t now = std::time(nullptr));

// The sha256 (hex) of the regular file at `path`.
Result<std::string> sha256_of_file(const std::filesystem::path& path);

class ContextDigests {
public:
  // `index` null: nothing is remembered, every file is read. `now` is the
  // clock that decides what changed recently (tests move it).
  explicit ContextDigests(cache::CacheIndex* index, time_t (*now)(time_t*) = &std::time)
      : m_index(index), m_now(now) {}

  // Loads what was remembered for the files under `dir` (once per process).
  Result<void> load(const std::filesystem::path& dir);

  // The sha256 (hex) of the regular file `path`, whose lstat() is `st`.
  Result<std::string> file_digest(const std::filesystem::path& path, const struct stat& st);

  // Remembers the digests computed since the last flush.
  Result<void> flush();

private:
  struct Known {
    std::string signature, digest;
  };
  cache::CacheIndex* m_index;
  time_t (*m_now)(time_t*);
  std::mutex m_mutex;
  std::set<std::string> m_loaded;
  std::unordered_map<std::string, Known> m_known; // absolute path → digest
  std::vector<cache::FileDigest> m_new;
};

} // namespace xbuild::engine::build
