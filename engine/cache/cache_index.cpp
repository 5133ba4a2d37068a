#include "engine/cache/cache_index.hpp"

#include <cerrno>
#include <csignal>
#include <ctime>
#include <chrono>
#include <mutex>
#include <thread>
#include <set>
#include <sqlite3.h>
#include <unistd.h>

namespace xbuild::engine::cache {
namespace {

const char* k_schema = R"sql(
PRAGMA journal_mode=WAL;
PRAGMA synchronous=NORMAL;
CREATE TABLE IF NOT EXISTS records (
  key TEXT PRIMARY KEY,
  ref TEXT NOT NULL,
  created INTEGER NOT NULL,
  last_used INTEGER NOT NULL,
  size INTEGER NOT NULL DEFAULT 0,
  description TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS records_ref ON records(ref);
CREATE INDEX IF NOT EXISTS records_last_used ON records(last_used);
CREATE TABLE IF NOT EXISTS file_digests (
  path TEXT PRIMARY KEY,
  signature TEXT NOT NULL,
  digest TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS leases (
  ref TEXT NOT NULL,
  pid INTEGER NOT NULL,
  PRIMARY KEY (ref, pid)
);
)sql";

int64_t now_seconds() { return static_cast<int64_t>(std::time(nullptr)); }

bool process_alive(int64_t pid) {
  return pid > 0 && (::kill(static_cast<pid_t>(pid), 0) == 0 || errno == EPERM);
}

// A prepared statement that finalises itself.
class Statement {
public:
  Statement(sqlite3* db, const char* sql) : m_db(db) {
    m_rc = sqlite3_prepare_v2(db, sql, -1, &m_stmt, nullptr);
  }
  ~Statement() { sqlite3_finalize(m_stmt); }
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  bool ok() const { return m_rc == SQLITE_OK; }
  Statement& bind(int i, const std::string& v) {
    sqlite3_bind_text(m_stmt, i, v.c_str(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
    return *this;
  }
  Statement& bind(int i, int64_t v) {
    sqlite3_bind_int64(m_stmt, i, v);
    return *this;
  }
  int step() { return sqlite3_step(m_stmt); }
  std::string text(int col) const {
    auto* p = sqlite3_column_text(m_stmt, col);
    return p ? reinterpret_cast<const char*>(p) : "";
  }
  int64_t integer(int col) const { return sqlite3_column_int64(m_stmt, col); }
  std::string error() const { return sqlite3_errmsg(m_db); }

private:
  sqlite3* m_db;
  sqlite3_stmt* m_stmt = nullptr;
  int m_rc;
};

} // namespace

struct CacheIndex::Impl {
  sqlite3* db = nullptr;
  std::string path;
  std::mutex mutex; // one connection, used from the scheduler's workers

  Result<void> exec_done(Statement& s, const char* what) {
    if (!s.ok())
      return fail("cache index " + path + ": cannot prepare " + what + ": " + s.error());
    int rc = s.step();
    if (rc != SQLITE_DONE && rc != SQLITE_ROW)
      return fail("cache index " + path + ": " + what + " failed: " + s.error() +
                  (rc == SQLITE_FULL ? " (the disk is full: free space and retry)" : ""));
    return {};
  }
};

CacheIndex::CacheIndex(std::unique_ptr<Impl> impl) : m_impl(std::move(impl)) {}

CacheIndex::~CacheIndex() {
  if (m_impl && m_impl->db) {
    // Leases end with the index; a killed process's leases are ignored anyway.
    sqlite3_exec(m_impl->db,
                 ("DELETE FROM leases WHERE pid = " + std::to_string(::getpid())).c_str(), nullptr,
                 nullptr, nullptr);
    sqlite3_close(m_impl->db);
  }
}

Result<std::unique_ptr<CacheIndex>> CacheIndex::open(const std::filesystem::path& db_path) {
  std::error_code ec;
  std::filesystem::create_directories(db_path.parent_path(), ec);
  auto impl = std::make_unique<Impl>();
  impl->path = db_path.string();
  if (sqlite3_open_v2(impl->path.c_str(), &impl->db,
                      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX,
                      nullptr) != SQLITE_OK) {
    std::string msg = impl->db ? sqlite3_errmsg(impl->db) : "out of memory";
    sqlite3_close(impl->db);
    return fail("cannot open the cache index " + impl->path + ": " + msg);
  }
  // Another build may hold the write lock for a moment: wait, don't fail.
  sqlite3_busy_timeout(impl->db, 30000);
  char* err = nullptr;
  // Switching to WAL and creating tables can find the database locked by a
  // build that opens it at the same moment; SQLite does not always call the
  // busy handler there, so retry (the schema is idempotent) for up to 30 s.
  int rc = SQLITE_OK;
  for (int attempt = 0; attempt < 600; ++attempt) {
    sqlite3_free(err);
    err = nullptr;
    rc = sqlite3_exec(impl->db, k_schema, nullptr, nullptr, &err);
    if (rc != SQLITE_BUSY && rc != SQLITE_LOCKED)
      break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  if (rc != SQLITE_OK) {
    std::string msg = err ? err : "unknown error";
    sqlite3_free(err);
    sqlite3_close(impl->db);
    return fail("cannot initialise the cache index " + impl->path + ": " + msg +
                "; if the file is corrupt, remove it (the cache will be rebuilt)");
  }
  auto index = std::unique_ptr<CacheIndex>(new CacheIndex(std::move(impl)));
  TRY_VOID(index->lease(k_process_lease));
  return index;
}

Result<std::optional<solver::Ref>> CacheIndex::lookup(const std::string& key) {
  std::lock_guard lock(m_impl->mutex);
  Statement q(m_impl->db, "SELECT ref FROM records WHERE key = ?1");
  if (!q.ok())
    return fail("cache index " + m_impl->path + ": " + q.error());
  q.bind(1, key);
  if (q.step() != SQLITE_ROW)
    return std::optional<solver::Ref>();
  solver::Ref ref{q.text(0)};
  // A hit is about to be used: keep prune away from it from now on.
  Statement hold(m_impl->db, "INSERT OR IGNORE INTO leases (ref, pid) VALUES (?1, ?2)");
  hold.bind(1, ref.id).bind(2, static_cast<int64_t>(::getpid()));
  TRY_VOID(m_impl->exec_done(hold, "lease"));
  Statement touch(m_impl->db, "UPDATE records SET last_used = ?1 WHERE key = ?2");
  touch.bind(1, now_seconds()).bind(2, key);
  TRY_VOID(m_impl->exec_done(touch, "touch"));
  return std::optional<solver::Ref>(ref);
}

Result<void> CacheIndex::store(const std::string& key, const solver::Ref& ref) {
  // The build goes on using what it just made (later steps, the export).
  TRY_VOID(lease(ref.id));
  return store_record(Record{key, ref.id, now_seconds(), now_seconds(), 0, ""});
}

Result<void> CacheIndex::store_record(const Record& r) {
  std::lock_guard lock(m_impl->mutex);
  Statement s(m_impl->db,
              "INSERT INTO records (key, ref, created, last_used, size, description) "
              "VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT(key) DO UPDATE SET "
              "ref = excluded.ref, last_used = excluded.last_used, size = excluded.size");
  s.bind(1, r.key)
      .bind(2, r.ref)
      .bind(3, r.created)
      .bind(4, r.last_used)
      .bind(5, r.size)
      .bind(6, r.description);
  return m_impl->exec_done(s, "store");
}

Result<std::vector<FileDigest>> CacheIndex::file_digests_under(const std::string& dir) {
  std::lock_guard lock(m_impl->mutex);
  // Paths under "dir/" sort between "dir/" and "dir0" ('0' follows '/').
  Statement q(m_impl->db, "SELECT path, signature, digest FROM file_digests "
                          "WHERE path >= ?1 AND path < ?2");
  if (!q.ok())
    return fail("cache index " + m_impl->path + ": " + q.error());
  q.bind(1, dir + "/").bind(2, dir + "0");
  std::vector<FileDigest> out;
  while (q.step() == SQLITE_ROW)
    out.push_back({q.text(0), q.text(1), q.text(2)});
  return out;
}

Result<void> CacheIndex::store_file_digests(const std::vector<FileDigest>& rows) {
  if (rows.empty())
    return {};
  std::lock_guard lock(m_impl->mutex);
  sqlite3_exec(m_impl->db, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr);
  for (const auto& r : rows) {
    Statement s(m_impl->db, "INSERT OR REPLACE INTO file_digests (path, signature, digest) "
                            "VALUES (?1, ?2, ?3)");
    s.bind(1, r.path).bind(2, r.signature).bind(3, r.digest);
    if (auto done = m_impl->exec_done(s, "store file digests"); !done) {
      sqlite3_exec(m_impl->db, "ROLLBACK", nullptr, nullptr, nullptr);
      return done;
    }
  }
  if (sqlite3_exec(m_impl->db, "COMMIT", nullptr, nullptr, nullptr) != SQLITE_OK)
    return fail("cache index " + m_impl->path + ": cannot store file digests: " +
                sqlite3_errmsg(m_impl->db));
  return {};
}

Result<void> CacheIndex::set_size(const std::string& ref, int64_t size) {
  std::lock_guard lock(m_impl->mutex);
  Statement s(m_impl->db, "UPDATE records SET size = ?1 WHERE ref = ?2");
  s.bind(1, size).bind(2, ref);
  return m_impl->exec_done(s, "set size");
}

Result<std::vector<Record>> CacheIndex::records() {
  std::lock_guard lock(m_impl->mutex);
  Statement q(m_impl->db, "SELECT key, ref, created, last_used, size, description FROM records "
                          "ORDER BY last_used, key");
  if (!q.ok())
    return fail("cache index " + m_impl->path + ": " + q.error());
  std::vector<Record> out;
  while (q.step() == SQLITE_ROW)
    out.push_back(
        Record{q.text(0), q.text(1), q.integer(2), q.integer(3), q.integer(4), q.text(5)});
  return out;
}

Result<std::vector<Record>> CacheIndex::select_prunable(const PruneFilter& filter) {
  auto all = TRY(records()); // least recently used first
  auto leased = TRY(leased_by_others());
  int64_t total = 0;
  for (const auto& r : all)
    total += r.size;
  std::vector<Record> out;
  const int64_t now = now_seconds();
  for (const auto& r : all) {
    if (filter.keep_bytes && total <= *filter.keep_bytes)
      break;
    if (leased.count(r.ref))
      continue;
    if (filter.until && now - r.last_used < filter.until->count())
      continue;
    out.push_back(r);
    total -= r.size;
  }
  return out;
}

Result<void> CacheIndex::remove(const std::string& key) {
  std::lock_guard lock(m_impl->mutex);
  Statement s(m_impl->db, "DELETE FROM records WHERE key = ?1");
  s.bind(1, key);
  return m_impl->exec_done(s, "remove");
}

Result<bool> CacheIndex::ref_in_use(const std::string& ref) {
  std::lock_guard lock(m_impl->mutex);
  Statement q(m_impl->db, "SELECT 1 FROM records WHERE ref = ?1 LIMIT 1");
  q.bind(1, ref);
  return q.step() == SQLITE_ROW;
}

Result<void> CacheIndex::lease(const std::string& ref) {
  std::lock_guard lock(m_impl->mutex);
  Statement s(m_impl->db, "INSERT OR IGNORE INTO leases (ref, pid) VALUES (?1, ?2)");
  s.bind(1, ref).bind(2, static_cast<int64_t>(::getpid()));
  return m_impl->exec_done(s, "lease");
}

Result<void> CacheIndex::release(const std::string& ref) {
  std::lock_guard lock(m_impl->mutex);
  Statement s(m_impl->db, "DELETE FROM leases WHERE ref = ?1 AND pid = ?2");
  s.bind(1, ref).bind(2, static_cast<int64_t>(::getpid()));
  return m_impl->exec_done(s, "release");
}

Result<std::set<std::string>> CacheIndex::leased_by_others() {
  std::lock_guard lock(m_impl->mutex);
  Statement q(m_impl->db, "SELECT ref, pid FROM leases WHERE pid != ?1");
  if (!q.ok())
    return fail("cache index " + m_impl->path + ": " + q.error());
  q.bind(1, static_cast<int64_t>(::getpid()));
  std::set<std::string> out;
  while (q.step() == SQLITE_ROW)
    if (process_alive(q.integer(1)))
      out.insert(q.text(0));
  return out;
}

Result<std::vector<int64_t>> CacheIndex::other_users() {
  std::lock_guard lock(m_impl->mutex);
  Statement q(m_impl->db, "SELECT pid FROM leases WHERE ref = ?1 AND pid != ?2");
  if (!q.ok())
    return fail("cache index " + m_impl->path + ": " + q.error());
  q.bind(1, std::string(k_process_lease)).bind(2, static_cast<int64_t>(::getpid()));
  std::vector<int64_t> out;
  while (q.step() == SQLITE_ROW)
    if (process_alive(q.integer(0)))
      out.push_back(q.integer(0));
  return out;
}

Result<void> CacheIndex::forget_dead_leases() {
  std::vector<int64_t> dead;
  {
    std::lock_guard lock(m_impl->mutex);
    Statement q(m_impl->db, "SELECT DISTINCT pid FROM leases");
    if (!q.ok())
      return fail("cache index " + m_impl->path + ": " + q.error());
    while (q.step() == SQLITE_ROW)
      if (!process_alive(q.integer(0)))
        dead.push_back(q.integer(0));
  }
  for (int64_t pid : dead) {
    std::lock_guard lock(m_impl->mutex);
    Statement s(m_impl->db, "DELETE FROM leases WHERE pid = ?1");
    s.bind(1, pid);
    TRY_VOID(m_impl->exec_done(s, "forget dead leases"));
  }
  return {};
}

} // namespace xbuild::engine::cache
