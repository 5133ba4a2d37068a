#pragma once
// Content digests (`algorithm:encoded`) and streaming digest verification.
//
// A digest always names the exact bytes that were sent, received or stored;
// nothing in oci/ re-serialises content and then trusts the old digest.

#include <compare>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "util/error.hpp"

namespace xbuild::util {
class Sha256;
}

namespace xbuild::oci {

// Invariant: a non-empty Digest is valid: algorithm is "sha256" and encoded is
// 64 lower-case hex characters (the only algorithm we compute; others are
// rejected by parse() with a message naming the algorithm). A
// default-constructed Digest is empty and means "not known".
struct Digest {
  std::string algorithm; // "sha256"
  std::string encoded;   // 64 lower-case hex characters

  // Parses "sha256:<64 hex>". `where` names the source for error messages
  // (e.g. "manifest docker.io/library/busybox:latest, layers[2].digest").
  static Result<Digest> parse(std::string_view text, std::string_view where = "");
  // The sha256 digest of `bytes`.
  static Digest of(std::string_view bytes);
  // "sha256:<hex>" from a 64-character hex string (trusted: from our hasher).
  static Digest from_sha256_hex(std::string hex);

  bool empty() const { return encoded.empty(); }
  std::string str() const { return empty() ? std::string() : algorithm + ":" + encoded; }
  // The first 12 hex characters, as docker prints short ids.
  std::string short_hex() const { return encoded.substr(0, 12); }

  auto operator<=>(const Digest&) const = default;
  bool operator==(const Digest&) const = default;
};

// Computes a digest over bytes fed in pieces.
class Digester {
public:
  Digester();
  ~Digester();
  Digester(Digester&&) noexcept;
  Digester& operator=(Digester&&) noexcept;
  void update(const void* data, size_t size);
  void update(std::string_view bytes) { update(bytes.data(), bytes.size()); }
  int64_t size() const { return m_size; }
  // Finishes the hash; the Digester must not be updated afterwards.
  Digest digest();

private:
  std::unique_ptr<util::Sha256> m_hash;
  int64_t m_size = 0;
};

// Checks bytes against an expected digest (and size, when known) as they
// stream past. `what` names the content for error messages.
class DigestVerifier {
public:
  DigestVerifier(Digest expected, int64_t expected_size, std::string what);
  // Fails as soon as more bytes than expected_size arrive.
  Result<void> update(const void* data, size_t size);
  // Call once at the end: fails on short content or digest mismatch.
  Result<void> finish();
  int64_t size() const { return m_digester.size(); }

private:
  Digest m_expected;
  int64_t m_expected_size; // -1 = unknown
  std::string m_what;
  Digester m_digester;
};

// A pull-style byte source: fills up to `size` bytes, returns how many (0 = end).
using ReadFn = std::function<Result<size_t>(void* buffer, size_t size)>;
// A push-style byte sink: consumes all `size` bytes or fails.
using WriteFn = std::function<Result<void>(const void* data, size_t size)>;

// Wraps a source and verifies what passes through it: the read that reaches
// the end (or passes expected_size) returns an error instead of 0 when the
// content does not match, so a consumer never sees a clean end of bad content.
class VerifyingReader {
public:
  VerifyingReader(ReadFn source, Digest expected, int64_t expected_size, std::string what);
  Result<size_t> read(void* buffer, size_t size);
  // Adapts this reader to a ReadFn (the reader must outlive the function).
  ReadFn as_read_fn();

private:
  ReadFn m_source;
  DigestVerifier m_verifier;
  bool m_done = false;
};

} // namespace xbuild::oci
