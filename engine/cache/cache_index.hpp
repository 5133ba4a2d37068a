#pragma once
// The persistent cache index: cache key → result ref, with the bookkeeping
// `du` and `prune` need.
//
// Stored in SQLite (WAL mode, busy timeout): two builds on the same state
// directory read and write it at once without corrupting it, a `kill -9`
// mid-build loses at most the uncommitted transaction, and `prune`'s
// "oldest first until under N bytes" is a query instead of a directory walk.
// Atomic one-file-per-record would give the first two but not the third.
//
// Leases keep prune away from what a running build uses: every ref a
// process looks up or stores is leased to it until the index is closed, and
// opening the index registers the process as a user of the state (a lease
// on k_process_lease), so prune knows a build is running even before its
// first cache lookup. A lease whose process no longer exists (killed) does
// not count.

#include <chrono>
#include <filesystem>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "engine/solver/scheduler.hpp"

namespace xbuild::engine::cache {

struct Record {
  std::string key;         // cache key ("sha256:…")
  std::string ref;         // snapshot ref the key resolves to
  int64_t created = 0;     // unix seconds
  int64_t last_used = 0;   // unix seconds, updated on every hit
  int64_t size = 0;        // bytes the ref holds on disk (0 if unknown)
  std::string description; // what made it, for `du --verbose`
};

// The ref of the lease every open index holds for its process.
inline constexpr const char* k_process_lease = "*process*";

// A build-context file's content digest, valid while the file's stat
// signature (device, inode, size, mode, owner, mtime, ctime) is unchanged.
struct FileDigest {
  std::string path; // absolute
  std::string signature;
  std::string digest;
};

struct PruneFilter {
  std::optional<std::chrono::seconds> until; // only records unused for longer than this
  std::optional<int64_t> keep_bytes;         // stop once the total is at most this
};

class CacheIndex : public solver::CacheIndex {
public:
  static Result<std::unique_ptr<CacheIndex>> open(const std::filesystem::path& db_path);
  ~CacheIndex() override;
  CacheIndex(const CacheIndex&) = delete;
  CacheIndex& operator=(const CacheIndex&) = delete;

  Result<std::optional<solver::Ref>> lookup(const std::string& key) override;
  Result<void> store(const std::string& key, const solver::Ref& ref) override;
  Result<void> store_record(const Record& record);
  // Remembered file digests (engine/build/context_digests.hpp) of the
  // files under directory `dir`, and storing new ones (one transaction).
  Result<std::vector<FileDigest>> file_digests_under(const std::string& dir);
  Result<void> store_file_digests(const std::vector<FileDigest>& rows);

  Result<void> set_size(const std::string& ref, int64_t size);

  Result<std::vector<Record>> records();
  // Records to delete for `filter`, least recently used first, never leased.
  Result<std::vector<Record>> select_prunable(const PruneFilter& filter);
  Result<void> remove(const std::string& key);
  // Refs no record points to any more (their snapshots can be deleted).
  Result<bool> ref_in_use(const std::string& ref);

  // Marks `ref` as used by this process until release() or process exit.
  Result<void> lease(const std::string& ref);
  Result<void> release(const std::string& ref);
  // Refs leased by other live processes.
  Result<std::set<std::string>> leased_by_others();
  // Other live processes that have this state open (builds, du, prune).
  Result<std::vector<int64_t>> other_users();
  // Deletes the leases of processes that no longer exist (killed builds),
  // which count for nothing but would pile up.
  Result<void> forget_dead_leases();

private:
  struct Impl;
  explicit CacheIndex(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> m_impl;
};

} // namespace xbuild::engine::cache
