#pragma once
// A content-addressed blob store on disk.
//
// Layout under the root (the same as an OCI layout's blob tree, so a layout
// can be written by copying or hard-linking):
//   blobs/sha256/<hex>      committed blobs, never modified in place
//   ingest/<hex>-<unique>   blobs being written
//
// Why it is safe for several processes: every writer has its own uniquely
// named temp file in ingest/ (same filesystem as blobs/), hashes while it
// writes, fsyncs, and then rename()s into place. rename is atomic, so a
// reader sees either no blob or the whole verified blob; two writers of the
// same digest both produce identical bytes, so whichever rename wins is
// right. A crash leaves only a temp file, which is never trusted and is
// removed by remove_stale_ingests().

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "oci/digest.hpp"
#include "util/error.hpp"

namespace xbuild::oci {

namespace fs = std::filesystem;

// Streams one blob into the store. Destroying it without commit() discards
// the temp file.
class BlobWriter {
public:
  ~BlobWriter();
  BlobWriter(const BlobWriter&) = delete;
  BlobWriter& operator=(const BlobWriter&) = delete;

  Result<void> write(const void* data, size_t size);
  Result<void> write(std::string_view bytes) { return write(bytes.data(), bytes.size()); }
  // Verifies against the expected digest/size (if given), fsyncs and moves
  // the blob into place; returns its digest. A blob that is already present
  // counts as success.
  Result<Digest> commit();
  int64_t written() const { return m_digester.size(); }

private:
  friend class ContentStore;
  BlobWriter(fs::path blobs_dir, fs::path temp_path, int fd, Digest expected,
             int64_t expected_size);
  void discard();

  fs::path m_blobs_dir;
  fs::path m_temp_path;
  int m_fd = -1;
  Digest m_expected;
  int64_t m_expected_size = -1;
  Digester m_digester;
  bool m_done = false;
};

// An open committed blob: read it in pieces (optionally verifying).
class BlobReader {
public:
  ~BlobReader();
  BlobReader(BlobReader&&) noexcept;
  BlobReader& operator=(BlobReader&&) = delete;
  BlobReader(const BlobReader&) = delete;
  Result<size_t> read(void* buffer, size_t size);
  int64_t size() const { return m_size; }
  const fs::path& path() const { return m_path; }

private:
  friend class ContentStore;
  BlobReader(fs::path path, int fd, int64_t size);
  fs::path m_path;
  int m_fd = -1;
  int64_t m_size = 0;
};

struct StoreUsage {
  int64_t blob_count = 0;
  int64_t blob_bytes = 0;
  int64_t ingest_count = 0; // unfinished writes (in progress or left by a crash)
  int64_t ingest_bytes = 0;
};

class ContentStore {
public:
  // Opens (creating when needed) a store rooted at `root`.
  static Result<ContentStore> open(fs::path root);

  const fs::path& root() const { return m_root; }
  fs::path blob_path(const Digest& digest) const;

  // A stat(), no hashing: blobs are only ever committed verified.
  bool exists(const Digest& digest) const;
  std::optional<int64_t> size(const Digest& digest) const;

  // Starts a write. `expected` may be empty (digest unknown: computed);
  // expected_size may be -1 (unknown).
  Result<std::unique_ptr<BlobWriter>> writer(Digest expected = {}, int64_t expected_size = -1);
  // Stores small content in one go (manifests, configs).
  Result<Digest> put(std::string_view bytes, const Digest& expected = {});
  // Reads a whole blob; re-verifies its digest (cheap for the small blobs
  // this is meant for) so on-disk corruption is reported, not propagated.
  Result<std::string> get(const Digest& digest) const;
  Result<BlobReader> open_blob(const Digest& digest) const;

  Result<void> remove(const Digest& digest);
  std::vector<Digest> list() const;
  StoreUsage usage() const;
  // Deletes ingest files not modified for `older_than` (left by crashes).
  int remove_stale_ingests(std::chrono::seconds older_than);

private:
  explicit ContentStore(fs::path root) : m_root(std::move(root)) {}
  fs::path m_root;
};

} // namespace xbuild::oci
