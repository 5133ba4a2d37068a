#pragma once
// SHA-256 through OpenSSL's EVP interface; the OpenSSL header stays in the .cpp.

#include <memory>
#include <string>
#include <string_view>

namespace xbuild::util {

class Sha256 {
public:
  Sha256();
  ~Sha256();
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;
  void update(std::string_view bytes);
  void update(const void* data, size_t size);
  // Lower-case hex digest; the object must not be updated afterwards.
  std::string hex_digest();

private:
  struct Impl;
  std::unique_ptr<Impl> m_impl;
};

std::string sha256_hex(std::string_view bytes);

} // namespace xbuild::util
