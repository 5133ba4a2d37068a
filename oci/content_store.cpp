#include "oci/content_store.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <random>

namespace xbuild::oci {
namespace {

std::string errno_text(int err) {
  std::string s = std::strerror(err);
  if (err == ENOSPC)
    s += " (free some disk space and retry)";
  else if (err == EACCES || err == EPERM)
    s += " (check the permissions of the store directory)";
  return s;
}

// Unique within this host: pid, a per-process counter and random bits.
std::string unique_suffix() {
  static std::atomic<uint64_t> counter{0};
  thread_local std::mt19937_64 rng{std::random_device{}()};
  char buf[64];
  std::snprintf(buf, sizeof buf, "%d-%llu-%08llx", static_cast<int>(::getpid()),
                static_cast<unsigned long long>(counter.fetch_add(1)),
                static_cast<unsigned long long>(rng() & 0xffffffffULL));
  return buf;
}

Result<void> fsync_dir(const fs::path& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0)
    return fail("cannot open directory " + dir.string() + ": " + errno_text(errno));
  ::fsync(fd);
  ::close(fd);
  return {};
}

} // namespace

// --- BlobWriter -------------------------------------------------------------

BlobWriter::BlobWriter(fs::path blobs_dir, fs::path temp_path, int fd, Digest expected,
                       int64_t expected_size)
    : m_blobs_dir(std::move(blobs_dir)), m_temp_path(std::move(temp_path)), m_fd(fd),
      m_expected(std::move(expected)), m_expected_size(expected_size) {}

BlobWriter::~BlobWriter() { discard(); }

void BlobWriter::discard() {
  if (m_fd >= 0) {
    ::close(m_fd);
    m_fd = -1;
  }
  if (!m_done) {
    ::unlink(m_temp_path.c_str());
    m_done = true;
  }
}

Result<void> BlobWriter::write(const void* data, size_t size) {
  if (m_done)
    return fail("internal error: write to a finished blob writer (" + m_temp_path.string() + ")");
  if (m_expected_size >= 0 && m_digester.size() + static_cast<int64_t>(size) > m_expected_size) {
    std::string what = m_expected.empty() ? std::string("blob") : m_expected.str();
    discard();
    return fail("content store: " + what + " is larger than the expected " +
                std::to_string(m_expected_size) + " bytes; the source sent different content");
  }
  m_digester.update(data, size);
  auto p = static_cast<const char*>(data);
  while (size > 0) {
    ssize_t n = ::write(m_fd, p, size);
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0) {
      int err = errno;
      discard();
      return fail("cannot write " + m_temp_path.string() + ": " + errno_text(err));
    }
    p += n;
    size -= static_cast<size_t>(n);
  }
  return {};
}

Result<Digest> BlobWriter::commit() {
  if (m_done)
    return fail("internal error: commit of a finished blob writer (" + m_temp_path.string() + ")");
  Digest actual = m_digester.digest();
  if (m_expected_size >= 0 && m_digester.size() != m_expected_size) {
    int64_t got = m_digester.size();
    discard();
    return fail("content store: " + m_expected.str() + " has " + std::to_string(got) +
                " bytes, expected " + std::to_string(m_expected_size) +
                "; the content is truncated, fetch it again");
  }
  if (!m_expected.empty() && actual != m_expected) {
    discard();
    return fail("content store: digest mismatch: expected " + m_expected.str() + ", got " +
                actual.str() + "; the content was not stored, fetch it again");
  }
  if (::fsync(m_fd) != 0) {
    int err = errno;
    discard();
    return fail("cannot sync " + m_temp_path.string() + ": " + errno_text(err));
  }
  ::fchmod(m_fd, 0444);
  ::close(m_fd);
  m_fd = -1;
  fs::path final_path = m_blobs_dir / actual.encoded;
  if (::rename(m_temp_path.c_str(), final_path.c_str()) != 0) {
    int err = errno;
    discard();
    return fail("cannot move " + m_temp_path.string() + " to " + final_path.string() + ": " +
                errno_text(err));
  }
  m_done = true;
  TRY_VOID(fsync_dir(m_blobs_dir));
  return actual;
}

// --- BlobReader -------------------------------------------------------------

BlobReader::BlobReader(fs::path path, int fd, int64_t size)
    : m_path(std::move(path)), m_fd(fd), m_size(size) {}

BlobReader::BlobReader(BlobReader&& o) noexcept
    : m_path(std::move(o.m_path)), m_fd(o.m_fd), m_size(o.m_size) {
  o.m_fd = -1;
}

BlobReader::~BlobReader() {
  if (m_fd >= 0)
    ::close(m_fd);
}

Result<size_t> BlobReader::read(void* buffer, size_t size) {
  for (;;) {
    ssize_t n = ::read(m_fd, buffer, size);
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0)
      return fail("cannot read " + m_path.string() + ": " + errno_text(errno));
    return static_cast<size_t>(n);
  }
}

// --- ContentStore -----------------------------------------------------------

Result<ContentStore> ContentStore::open(fs::path root) {
  std::error_code ec;
  for (auto dir : {root / "blobs" / "sha256", root / "ingest"}) {
    fs::create_directories(dir, ec);
    if (ec)
      return fail("cannot create content store directory " + dir.string() + ": " + ec.message() +
                  "; check the permissions or choose another root");
  }
  return ContentStore(std::move(root));
}

fs::path ContentStore::blob_path(const Digest& digest) const {
  return m_root / "blobs" / digest.algorithm / digest.encoded;
}

bool ContentStore::exists(const Digest& digest) const {
  struct stat st {};
  return !digest.empty() && ::stat(blob_path(digest).c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

std::optional<int64_t> ContentStore::size(const Digest& digest) const {
  struct stat st {};
  if (digest.empty() || ::stat(blob_path(digest).c_str(), &st) != 0 || !S_ISREG(st.st_mode))
    return std::nullopt;
  return static_cast<int64_t>(st.st_size);
}

Result<std::unique_ptr<BlobWriter>> ContentStore::writer(Digest expected, int64_t expected_size) {
  std::string name =
      (expected.empty() ? std::string("unknown") : expected.encoded) + "-" + unique_suffix();
  fs::path temp = m_root / "ingest" / name;
  int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0)
    return fail("cannot create " + temp.string() + ": " + errno_text(errno));
  return std::unique_ptr<BlobWriter>(
      new BlobWriter(m_root / "blobs" / "sha256", temp, fd, std::move(expected), expected_size));
}

Result<Digest> ContentStore::put(std::string_view bytes, const Digest& expected) {
  if (!expected.empty() && exists(expected)) {
    // Still verify the caller's bytes: a mismatch is a bug worth reporting.
    Digest actual = Digest::of(bytes);
    if (actual != expected)
      return fail("content store: digest mismatch: expected " + expected.str() + ", got " +
                  actual.str());
    return expected;
  }
  auto w = TRY(writer(expected, expected.empty() ? -1 : static_cast<int64_t>(bytes.size())));
  TRY_VOID(w->write(bytes));
  return w->commit();
}

Result<BlobReader> ContentStore::open_blob(const Digest& digest) const {
  fs::path path = blob_path(digest);
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    int err = errno;
    if (err == ENOENT)
      return fail("blob " + digest.str() + " is not in the content store at " + m_root.string() +
                  "; pull or build the image again");
    return fail("cannot open " + path.string() + ": " + errno_text(err));
  }
  struct stat st {};
  ::fstat(fd, &st);
  return BlobReader(path, fd, static_cast<int64_t>(st.st_size));
}

Result<std::string> ContentStore::get(const Digest& digest) const {
  auto reader = TRY(open_blob(digest));
  std::string out;
  out.resize(static_cast<size_t>(reader.size()));
  size_t off = 0;
  while (off < out.size()) {
    size_t n = TRY(reader.read(out.data() + off, out.size() - off));
    if (n == 0)
      break;
    off += n;
  }
  out.resize(off);
  Digest actual = Digest::of(out);
  if (actual != digest)
    return fail("content store blob " + reader.path().string() + " is corrupt (its digest is " +
                actual.str() + "); delete it and pull or build again");
  return out;
}

Result<void> ContentStore::remove(const Digest& digest) {
  if (::unlink(blob_path(digest).c_str()) != 0 && errno != ENOENT)
    return fail("cannot remove " + blob_path(digest).string() + ": " + errno_text(errno));
  return {};
}

std::vector<Digest> ContentStore::list() const {
  std::vector<Digest> out;
  std::error_code ec;
  for (auto& entry : fs::directory_iterator(m_root / "blobs" / "sha256", ec)) {
    auto d = Digest::parse("sha256:" + entry.path().filename().string());
    if (d)
      out.push_back(*d);
  }
  std::sort(out.begin(), out.end());
  return out;
}

StoreUsage ContentStore::usage() const {
  StoreUsage u;
  std::error_code ec;
  for (auto& entry : fs::directory_iterator(m_root / "blobs" / "sha256", ec)) {
    std::error_code size_ec;
    auto s = entry.file_size(size_ec);
    if (size_ec)
      continue; // removed concurrently
    ++u.blob_count;
    u.blob_bytes += static_cast<int64_t>(s);
  }
  for (auto& entry : fs::directory_iterator(m_root / "ingest", ec)) {
    std::error_code size_ec;
    auto s = entry.file_size(size_ec);
    if (size_ec)
      continue;
    ++u.ingest_count;
    u.ingest_bytes += static_cast<int64_t>(s);
  }
  return u;
}

int ContentStore::remove_stale_ingests(std::chrono::seconds older_than) {
  int removed = 0;
  std::error_code ec;
  auto now = fs::file_time_type::clock::now();
  for (auto& entry : fs::directory_iterator(m_root / "ingest", ec)) {
    std::error_code t_ec;
    auto t = entry.last_write_time(t_ec);
    if (t_ec || now - t < older_than)
      continue;
    if (fs::remove(entry.path(), t_ec))
      ++removed;
  }
  return removed;
}

} // namespace xbuild::oci
