#include "engine/solver/cache_key.hpp"

#include <cstdint>

namespace xbuild::engine::solver {

namespace {
void put_length(util::Sha256& h, uint64_t n) {
  unsigned char b[8];
  for (int i = 0; i < 8; ++i)
    b[i] = static_cast<unsigned char>(n >> (8 * (7 - i)));
  h.update(b, sizeof b);
}
} // namespace

KeyHasher& KeyHasher::field(std::string_view tag, std::string_view value) {
  put_length(m_hash, tag.size());
  m_hash.update(tag);
  put_length(m_hash, value.size());
  m_hash.update(value);
  return *this;
}

std::string KeyHasher::finish() { return "sha256:" + m_hash.hex_digest(); }

} // namespace xbuild::engine::solver
