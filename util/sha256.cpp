#include "util/sha256.hpp"

#include <openssl/evp.h>

#include "util/error.hpp"
#include "util/strings.hpp"

namespace xbuild::util {

struct Sha256::Impl {
  EVP_MD_CTX* ctx = nullptr;
};

Sha256::Sha256() : m_impl(std::make_unique<Impl>()) {
  m_impl->ctx = EVP_MD_CTX_new();
  if (!m_impl->ctx || EVP_DigestInit_ex(m_impl->ctx, EVP_sha256(), nullptr) != 1)
    throw FatalError{Error{"OpenSSL could not initialise SHA-256"}};
}

Sha256::~Sha256() { EVP_MD_CTX_free(m_impl->ctx); }

void Sha256::update(std::string_view bytes) { update(bytes.data(), bytes.size()); }

void Sha256::update(const void* data, size_t size) {
  EVP_DigestUpdate(m_impl->ctx, data, size);
}

std::string Sha256::hex_digest() {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_DigestFinal_ex(m_impl->ctx, out, &len);
  return hex(std::string_view(reinterpret_cast<const char*>(out), len));
}

std::string sha256_hex(std::string_view bytes) {
  Sha256 h;
  h.update(bytes);
  return h.hex_digest();
}

} // namespace xbuild::util
