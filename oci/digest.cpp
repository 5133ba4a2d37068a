#include "oci/digest.hpp"

#include "util/sha256.hpp"

namespace xbuild::oci {
namespace {

bool is_lower_hex(std::string_view s) {
  for (char c : s)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
      return false;
  return true;
}

std::string in(std::string_view where) {
  return where.empty() ? std::string() : " in " + std::string(where);
}

} // namespace

Result<Digest> Digest::parse(std::string_view text, std::string_view where) {
  auto colon = text.find(':');
  if (colon == std::string_view::npos || colon == 0 || colon + 1 == text.size())
    return fail("invalid digest \"" + std::string(text) + "\"" + in(where) +
                ": expected \"sha256:<64 hex characters>\"");
  std::string_view algorithm = text.substr(0, colon);
  std::string_view encoded = text.substr(colon + 1);
  if (algorithm != "sha256")
    return fail("unsupported digest algorithm \"" + std::string(algorithm) + "\"" + in(where) +
                ": only sha256 is supported; re-push the content with sha256 digests");
  if (encoded.size() != 64 || !is_lower_hex(encoded))
    return fail("invalid sha256 digest \"" + std::string(text) + "\"" + in(where) +
                ": the part after \"sha256:\" must be 64 lower-case hex characters (got " +
                std::to_string(encoded.size()) + " characters)");
  return Digest{std::string(algorithm), std::string(encoded)};
}

Digest Digest::of(std::string_view bytes) { return from_sha256_hex(util::sha256_hex(bytes)); }

Digest Digest::from_sha256_hex(std::string hex) { return Digest{"sha256", std::move(hex)}; }

Digester::Digester() : m_hash(std::make_unique<util::Sha256>()) {}
Digester::~Digester() = default;
Digester::Digester(Digester&&) noexcept = default;
Digester& Digester::operator=(Digester&&) noexcept = default;

void Digester::update(const void* data, size_t size) {
  m_hash->update(data, size);
  m_size += static_cast<int64_t>(size);
}

Digest Digester::digest() { return Digest::from_sha256_hex(m_hash->hex_digest()); }

DigestVerifier::DigestVerifier(Digest expected, int64_t expected_size, std::string what)
    : m_expected(std::move(expected)), m_expected_size(expected_size), m_what(std::move(what)) {}

Result<void> DigestVerifier::update(const void* data, size_t size) {
  m_digester.update(data, size);
  if (m_expected_size >= 0 && m_digester.size() > m_expected_size)
    return fail(m_what + ": got more than the expected " + std::to_string(m_expected_size) +
                " bytes of " + m_expected.str() +
                "; the source sent different content than its descriptor says");
  return {};
}

Result<void> DigestVerifier::finish() {
  if (m_expected_size >= 0 && m_digester.size() != m_expected_size)
    return fail(m_what + ": got " + std::to_string(m_digester.size()) + " bytes, expected " +
                std::to_string(m_expected_size) + " for " + m_expected.str() +
                "; the content is truncated or the descriptor is wrong");
  Digest actual = m_digester.digest();
  if (!m_expected.empty() && actual != m_expected)
    return fail(m_what + ": digest mismatch: expected " + m_expected.str() + ", got " +
                actual.str() + "; the content is corrupt or was changed, fetch it again");
  return {};
}

VerifyingReader::VerifyingReader(ReadFn source, Digest expected, int64_t expected_size,
                                 std::string what)
    : m_source(std::move(source)), m_verifier(std::move(expected), expected_size, std::move(what)) {
}

Result<size_t> VerifyingReader::read(void* buffer, size_t size) {
  if (m_done)
    return 0;
  size_t n = TRY(m_source(buffer, size));
  if (n == 0) {
    m_done = true;
    TRY_VOID(m_verifier.finish());
    return 0;
  }
  TRY_VOID(m_verifier.update(buffer, n));
  return n;
}

ReadFn VerifyingReader::as_read_fn() {
  return [this](void* buffer, size_t size) { return read(buffer, size); };
}

} // namespace xbuild::oci
